import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { Button } from './button'
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

/**
 * A modal that asks before a change that matters (promote, roll back), with an optional reason.
 * Focus starts in the reason field and returns where it was on close; Escape or a click outside cancels.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, ...rest }: ConfirmDialogProps) {
  const [reason, setReason] = useState('')
  const input = useRef<HTMLInputElement>(null)
  const titleId = useId()
  const leadId = useId()
  const reasonId = useId()

  useEffect(() => {
    const opener = document.activeElement
    input.current?.focus()
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onCancel()
    }
    document.addEventListener('keydown', onKeyDown)
    return () => {
      document.removeEventListener('keydown', onKeyDown)
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
    }
  }, [onCancel])

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    onConfirm(reason.trim())
  }

  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-slate-950/70 p-4 backdrop-blur-sm" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={leadId}
        className="w-full max-w-md rounded-xl border border-slate-700 bg-slate-900 p-5 shadow-2xl"
        data-testid={rest['data-testid']}
      >
        <h2 id={titleId} className="text-base font-semibold break-words text-white">
          {title}
        </h2>
        <div id={leadId} className="mt-1 text-sm break-words text-slate-400">
          {children}
        </div>
        <form className="mt-4 space-y-2" onSubmit={submit}>
          <label htmlFor={reasonId} className="block text-xs font-medium text-slate-300">
            Reason <span className="font-normal text-slate-500">(optional, kept on the model’s timeline)</span>
          </label>
          <input
            ref={input}
            id={reasonId}
            type="text"
            maxLength={500}
            autoComplete="off"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={`w-full ${inputClass}`}
          />
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="ghost" onClick={onCancel}>
              Cancel
            </Button>
            <Button type="submit" variant="primary">
              {confirmLabel}
            </Button>
          </div>
        </form>
      </div>
    </div>
  )
}
