import { useEffect, useState } from 'react'
import { Button } from '../components/ui/button'
import { formatClock } from '../lib/format'
import { useLastModelChange } from '../lib/api/model-changes'
import { useSelectModel } from '../lib/use-selected-model'

/**
 * Timeline events that are not a change to a model: a traffic switch (whoever pressed it knows),
 * an incident (the Alerts view and the badge say so). They are marks on the charts, not notices.
 */
const NOT_A_MODEL_CHANGE = new Set(['scenario', 'incident_opened', 'incident_resolved'])

/** How long a model change stays in sight. */
export const TOAST_MS = 8000

/**
 * A model changed while the dashboard was open (a promotion, a rollback, a retrain, the gate):
 * a short notice in the corner with a way to its versions; it goes by itself after a few seconds.
 */
export function ModelChangeToast() {
  const change = useLastModelChange().data
  const selectModel = useSelectModel()
  const [dismissed, setDismissed] = useState<number | null>(null)
  useEffect(() => {
    if (!change) return
    const timer = setTimeout(() => setDismissed(change.id), TOAST_MS)
    return () => clearTimeout(timer)
  }, [change])
  if (!change || change.id === dismissed || NOT_A_MODEL_CHANGE.has(change.kind)) return null
  return (
    <div
      role="status"
      className="fixed right-4 bottom-4 left-4 z-40 rounded-xl border border-slate-700 bg-slate-900/95 p-3 text-sm shadow-2xl backdrop-blur sm:left-auto sm:w-96"
      data-testid="model-change-toast"
      data-kind={change.kind}
    >
      <p className="text-xs text-slate-400">
        <span className="font-mono text-slate-200">{change.model}</span> · {formatClock(change.created_at)}
      </p>
      <p className="mt-1 break-words text-slate-100">{change.message}</p>
      <div className="mt-2 flex justify-end gap-2">
        <Button size="sm" variant="ghost" onClick={() => setDismissed(change.id)}>
          Dismiss
        </Button>
        <Button
          size="sm"
          onClick={() => {
            setDismissed(change.id)
            selectModel(change.model, 'models')
          }}
        >
          Versions of {change.model}
        </Button>
      </div>
    </div>
  )
}
