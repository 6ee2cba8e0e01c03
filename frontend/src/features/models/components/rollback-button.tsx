import { useState } from 'react'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { shortVersion } from '../../../lib/format'
import type { ModelDetail } from '../../../types/api'
import { useGuardedStageChange } from '../hooks/use-guarded-stage-change'

/** Roll the model back to `previous`, its previous champion, asked first. */
export function RollbackButton({ model, previous }: { model: ModelDetail; previous: string }) {
  const { run, error, done, busy } = useGuardedStageChange()
  const [confirming, setConfirming] = useState(false)
  const { champion } = model.stages
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="danger"
        disabled={busy}
        title={`Serve ${previous} again`}
        onClick={() => setConfirming(true)}
        className="whitespace-nowrap"
        data-testid="rollback-button"
      >
        Roll back to {shortVersion(previous)}
      </Button>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-rose-300" data-testid="rollback-error">
          {error}
        </p>
      )}
      {done && !error && (
        <p role="status" className="max-w-xs text-right text-xs text-emerald-300">
          {done}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Roll ${model.name} back to ${shortVersion(previous)}?`}
          confirmLabel="Roll back"
          onCancel={() => setConfirming(false)}
          onConfirm={(reason) => {
            setConfirming(false)
            run({ model: model.name, action: 'rollback', reason })
          }}
          data-testid="rollback-confirm"
        >
          <span className="font-mono text-xs text-slate-300">{previous}</span> answers every request again;{' '}
          <span className="font-mono text-xs text-slate-300">{champion}</span> becomes the previous champion (a second rollback undoes this).
        </ConfirmDialog>
      )}
    </div>
  )
}
