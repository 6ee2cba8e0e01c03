import { useId, useState, type ReactNode } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { ConfirmDialog } from '../../../components/ui/confirm-dialog'
import { inputClass } from '../../../components/ui/input-class'
import { useIsAdmin } from '../../../lib/auth/session'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatAgo, formatInt, formatNumber, shortVersion } from '../../../lib/format'
import { useStageChange, type StageChangeRequest } from '../api/change-stage'
import type { ComparisonPoint, ModelDetail, ModelVersion } from '../../../types/api'
import { comparedSide, holdoutOf, isRetrained, STAGES, trafficShare } from '../lifecycle'
import { Ago } from '../../../components/ago'

/** A stage change with its error (the 409's sentence, or the role on a 403) and its event's text once done. */
function useGuardedStageChange() {
  const change = useStageChange()
  const run = useSignedInAction(change.mutate)
  const error = useActionError(change.error)
  const done = change.isSuccess ? change.data.event.message : null
  return { run, error, done, busy: change.isPending }
}

/** A version's stage as a badge: "Canary 20%" for a canary. */
export function StageBadge({ version, share }: { version: ModelVersion; share: number | null }) {
  const stage = STAGES[version.stage]
  const label = version.stage === 'canary' && share !== null ? `${stage.label} ${formatNumber(share * 100, 0)}%` : stage.label
  return (
    <Badge tone={stage.tone} title={stage.hint} data-testid="stage-badge">
      {label}
    </Badge>
  )
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="whitespace-nowrap text-[11px] font-medium uppercase tracking-wider text-slate-500">{label}</dt>
      <dd className="mt-0.5 truncate text-sm tabular-nums text-slate-100" data-testid={testId}>
        {children}
      </dd>
    </div>
  )
}

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
function VersionActions({ model, version, champion }: VersionActionsProps) {
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

/** Where a retrained version came from: its hold-out against the champion of the time. */
function RetrainedNote({ version }: { version: ModelVersion }) {
  const holdout = holdoutOf(version.source)
  if (!holdout) return null
  return (
    <>
      {' · '}hold-out ROC-AUC {formatNumber(holdout.challenger, 3)} vs {formatNumber(holdout.champion, 3)} for the champion on {formatInt(holdout.rows)} rows
    </>
  )
}

interface VersionRowProps {
  model: ModelDetail
  version: ModelVersion
  newest: ComparisonPoint | undefined
  admin: boolean
}

function VersionRow({ model, version, newest, admin }: VersionRowProps) {
  const { stages } = model
  const compared = comparedSide(newest, version.version)
  const retrained = isRetrained(version.source)
  const serving = version.stage === 'champion' || version.stage === 'canary' || version.stage === 'shadow'
  const actionable = version.stage !== 'champion' && version.stage !== 'retired'
  return (
    <li
      className={`rounded-lg border px-3 py-3 ${serving ? 'border-slate-700 bg-slate-900/60' : 'border-slate-800/70'} ${version.stage === 'retired' ? 'opacity-70' : ''}`}
      data-testid="version-row"
      data-stage={version.stage}
      data-version={version.version}
    >
      <div className="flex min-w-0 flex-wrap items-center gap-2">
        <span className="min-w-0 truncate font-mono text-sm text-slate-100" title={version.version}>
          {version.version}
        </span>
        <StageBadge version={version} share={stages.share} />
        {retrained && (
          <Badge tone="muted" title="Trained by app.retrain on recent labelled traffic">
            Retrained
          </Badge>
        )}
      </div>
      <p className="mt-1 text-xs text-slate-500">
        Registered <Ago iso={version.registered_at} /> · {version.format} · threshold {formatNumber(version.threshold, 3)}
        {version.stage === 'retired' && version.retired_at && ` · retired ${formatAgo(version.retired_at)}`}
        {retrained && <RetrainedNote version={version} />}
      </p>
      <div className="mt-2 flex flex-wrap items-end gap-x-6 gap-y-3">
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 sm:grid-cols-[repeat(4,auto)]">
          <Fact label="Traffic" testId="version-traffic">
            {trafficShare(version.stage, stages)}
          </Fact>
          <Fact label="Training AUC" testId="version-training-auc">
            {formatNumber(version.metrics?.roc_auc, 3)}
          </Fact>
          <Fact label="Realized AUC" testId="version-realized-auc">
            {formatNumber(compared?.realized?.roc_auc, 3)}
          </Fact>
          <Fact label="Estimated AUC" testId="version-estimated-auc">
            {formatNumber(compared?.estimated?.roc_auc, 3)}
          </Fact>
        </dl>
        {admin && actionable && (
          <div className="w-full sm:ml-auto sm:w-auto">
            <VersionActions model={model.name} version={version} champion={stages.champion} />
          </div>
        )}
      </div>
    </li>
  )
}

/** Roll the model back to `previous`, its previous champion, asked first. */
function RollbackButton({ model, previous }: { model: ModelDetail; previous: string }) {
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

interface VersionsPanelProps {
  model: ModelDetail
  /** The newest champion-challenger comparison: realized and estimated ROC-AUC of the two compared. */
  newest: ComparisonPoint | undefined
}

/** Every version of a model with its stage, traffic share and ROC-AUC; an admin promotes, tries and retires them. */
export function VersionsPanel({ model, newest }: VersionsPanelProps) {
  const admin = useIsAdmin()
  const [showRetired, setShowRetired] = useState(false)
  const live = model.history.filter((v) => v.stage !== 'retired')
  const retired = model.history.filter((v) => v.stage === 'retired')
  const shown = showRetired ? [...live, ...retired] : live
  // Only a model that had another champion before this one can go back to it.
  const previous = model.stages.previous_champion
  return (
    <Card
      title={`Versions of ${model.name}`}
      subtitle="The champion answers; a challenger is tried in shadow (scores after the answer) or as a canary (answers its share)"
      action={admin && previous ? <RollbackButton model={model} previous={previous} /> : undefined}
      data-testid="versions-panel"
    >
      {model.history.length === 0 ? (
        <p className="text-sm text-slate-400">No version registered yet.</p>
      ) : (
        <ul className="space-y-2" aria-label={`Versions of ${model.name}`}>
          {shown.map((v) => (
            <VersionRow key={v.version} model={model} version={v} newest={newest} admin={admin} />
          ))}
        </ul>
      )}
      {retired.length > 0 && (
        <button
          type="button"
          aria-expanded={showRetired}
          onClick={() => setShowRetired((v) => !v)}
          className="mt-2 text-xs text-sky-300 hover:underline"
          data-testid="retired-toggle"
        >
          {showRetired ? 'Hide retired' : `Show retired (${retired.length})`}
        </button>
      )}
      <p className="mt-3 text-xs text-slate-500">
        Realized and estimated ROC-AUC are the newest champion-challenger comparison’s, on the same requests.
      </p>
    </Card>
  )
}
