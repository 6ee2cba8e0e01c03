import { useRef, useState, type FormEvent, type ReactNode } from 'react'
import { Button } from './button'
import { Dialog } from './dialog'
import { inputClass } from './input-class'

interface ConfirmDialogProps {
  title: ReactNode
  /** What happens if the user confirms, in a sentence or two. */
  children: ReactNode
  confirmLabel: string
  /** Runs with the optional reason typed (kept with the change on the model's timeline). */
  onConfirm: (reason: string) => void
  onCancel: () => void
  'data-testid'?: string
}

/** Asks before a change that matters (promote, roll back), with an optional reason; focus starts in the reason field. */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, ...rest }: ConfirmDialogProps) {
  const [reason, setReason] = useState('')
  const input = useRef<HTMLInputElement>(null)

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    onConfirm(reason.trim())
  }

  return (
    <Dialog role="alertdialog" title={title} description={children} onClose={onCancel} initialFocus={input} data-testid={rest['data-testid']}>
      <form className="mt-4 space-y-2" onSubmit={submit}>
        <label className="block text-xs font-medium text-slate-300">
          Reason <span className="font-normal text-slate-500">(optional, kept on the model’s timeline)</span>
          <input
            ref={input}
            type="text"
            maxLength={500}
            autoComplete="off"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={`mt-1 w-full font-normal ${inputClass}`}
          />
        </label>
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" variant="primary">
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
