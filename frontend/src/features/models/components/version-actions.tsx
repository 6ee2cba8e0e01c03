import { useId, useState } from 'react'
import { Button } from '../../../components/ui/button'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { inputClass } from '../../../components/ui/input-class'
import { shortVersion } from '../../../lib/format'
import type { ModelVersion } from '../../../types/api'
import type { StageChangeRequest } from '../api/change-stage'
import { useGuardedStageChange } from '../hooks/use-guarded-stage-change'

/** The percent input of a canary's share: 1 to 99, 20 by default. */
function ShareInput({ value, onChange, version }: { value: string; onChange: (value: string) => void; version: string }) {
  const id = useId()
  return (
    <span className="inline-flex items-center gap-1">
      <label htmlFor={id} className="sr-only">
        Canary share of {version}, percent
      </label>
      <input
        id={id}
        type="number"
        min={1}
        max={99}
        step={1}
        inputMode="numeric"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className={`w-16 text-right ${inputClass} py-1 text-xs`}
        data-testid="canary-share"
      />
      <span className="text-xs text-slate-400">%</span>
    </span>
  )
}

/** A share in percent as the API takes it (0 < share < 1), or null when it is not one. */
const shareOf = (percent: string): number | null => {
  const value = Number(percent)
  return percent.trim() !== '' && Number.isFinite(value) && value > 0 && value < 100 ? value / 100 : null
}

interface VersionActionsProps {
  model: string
  version: ModelVersion
  champion: string | null
}

/** An admin's buttons on a version that is neither the champion nor retired: promote (asked first), shadow, canary, retire. */
export function VersionActions({ model, version, champion }: VersionActionsProps) {
  const { run, error, done, busy } = useGuardedStageChange()
  const [percent, setPercent] = useState('20')
  const [confirming, setConfirming] = useState(false)
  const share = shareOf(percent)
  const name = version.version
  const act = (change: StageChangeRequest) => run(change)
  return (
    <div className="flex flex-col gap-1.5 sm:items-end">
      <div className="flex flex-wrap items-center gap-2 sm:justify-end">
        <Button size="sm" variant="primary" disabled={busy} onClick={() => setConfirming(true)} data-testid="promote-button" aria-label={`Promote ${name}`}>
          Promote
        </Button>
        {version.stage !== 'shadow' && (
          <Button size="sm" disabled={busy} onClick={() => act({ model, action: 'shadow', version: name })} data-testid="shadow-button" aria-label={`Shadow ${name}`}>
            Shadow
          </Button>
        )}
        <span className="inline-flex items-center gap-1.5">
          <ShareInput value={percent} onChange={setPercent} version={name} />
          <Button
            size="sm"
            disabled={busy || share === null}
            title={share === null ? 'A share between 1 and 99%' : undefined}
            onClick={() => share !== null && act({ model, action: 'canary', version: name, share })}
            data-testid="canary-button"
            aria-label={`Canary ${name}`}
          >
            Canary
          </Button>
        </span>
        <Button size="sm" variant="ghost" disabled={busy} onClick={() => act({ model, action: 'retire', version: name })} data-testid="retire-button" aria-label={`Retire ${name}`}>
          Retire
        </Button>
      </div>
      {error && (
        <p role="alert" className="max-w-md text-xs text-rose-300 sm:text-right" data-testid="stage-error">
          {error}
        </p>
      )}
      {done && !error && (
        <p role="status" className="max-w-md text-xs text-emerald-300 sm:text-right">
          {done}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Promote ${shortVersion(name)} to champion?`}
          confirmLabel="Promote"
          onCancel={() => setConfirming(false)}
          onConfirm={(reason) => {
            setConfirming(false)
            act({ model, action: 'promote', version: name, reason })
          }}
          data-testid="promote-confirm"
        >
          <span className="font-mono text-xs text-slate-300">{name}</span> answers every request of {model} from now on.
          {champion && (
            <>
              {' '}
              The champion <span className="font-mono text-xs text-slate-300">{champion}</span> becomes the previous one: Roll back serves it again.
            </>
          )}
        </ConfirmDialog>
      )}
    </div>
  )
}
