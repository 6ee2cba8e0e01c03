import { useState, type ReactNode } from 'react'
import { Ago } from '../../../components/ago'
import { Badge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { useIsAdmin } from '../../../lib/auth/session'
import { formatAgo, formatInt, formatNumber } from '../../../lib/format'
import type { ComparisonPoint, ModelDetail, ModelVersion } from '../../../types/api'
import { comparedSide, holdoutOf, isRetrained, STAGES, trafficShare } from '../lifecycle'
import { RollbackButton } from './rollback-button'
import { VersionActions } from './version-actions'

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
