import type { ReactNode } from 'react'
import { Badge, type Tone } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { formatAgo, formatInt, formatNumber, formatPercent, humanize, shortVersion } from '../../../lib/format'
import { useDriftSummary } from '../../../lib/api/get-drift-summary'
import { useStats } from '../../../lib/api/get-stats'
import { useSelectModel } from '../../../lib/use-selected-model'
import type { DriftSummary, RegisteredModel } from '../../../types/api'
import { useOpenAlerts } from '../api/get-open-alerts'
import { answeringVersion } from '../api/get-registered-model'

/** A drift summary in a word or three, with its tone. */
export function driftStatus(summary: DriftSummary | undefined): [string, Tone] {
  if (!summary || summary.status === 'no_data' || !summary.run) return ['Not monitored yet', 'muted']
  if (summary.status === 'insufficient_data') return ['Too few predictions', 'muted']
  if (summary.dataset_drift) return ['Dataset drift', 'critical']
  const drifted = summary.drifted_features?.length ?? 0
  if (drifted) return [`${drifted} feature${drifted === 1 ? '' : 's'} drift`, 'warning']
  return ['No drift', 'ok']
}

// Only the selected model's figures are live: each card reads its model's again when the view opens.

function DriftStatus({ name }: { name: string }) {
  const summary = useDriftSummary(name, { refresh: true })
  if (summary.isPending) return <span className="text-slate-500">…</span>
  if (summary.isError) return <span className="text-slate-500">—</span>
  const [label, tone] = driftStatus(summary.data)
  return (
    <Badge tone={tone} data-testid="model-drift">
      {label}
    </Badge>
  )
}

function OpenAlerts({ name }: { name: string }) {
  const alerts = useOpenAlerts(name)
  const open = alerts.data
  if (open === undefined) return <span className="text-slate-500">{alerts.isError ? '—' : '…'}</span>
  return open > 0 ? (
    <Badge tone="critical" data-testid="model-open-alerts">
      {formatInt(open)} open
    </Badge>
  ) : (
    <span className="text-slate-300" data-testid="model-open-alerts">
      None
    </span>
  )
}

function Traffic({ name }: { name: string }) {
  const stats = useStats(name, { refresh: true })
  const count = stats.data?.last_minute.count
  if (count === undefined) return <span className="text-slate-500">{stats.isError ? '—' : '…'}</span>
  return <span data-testid="model-traffic">{count ? `${formatInt(count)} predictions` : 'No traffic'}</span>
}

function Fact({ label, children, className = '' }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={`min-w-0 ${className}`}>
      <dt className="text-[11px] font-medium uppercase tracking-wider text-slate-500">{label}</dt>
      <dd className="mt-0.5 truncate text-sm tabular-nums text-slate-100">{children}</dd>
    </div>
  )
}

/** The challenger beside the champion, if any: "Shadow v…5b7d", "Canary 25% v…5b7d". */
function ChallengerBadge({ stages }: { stages: RegisteredModel['stages'] }) {
  if (!stages?.challenger) return null
  const canary = stages.mode === 'canary'
  return (
    <Badge tone={canary ? 'warning' : 'violet'} title={`Challenger ${stages.challenger}`} data-testid="model-challenger">
      {canary ? `Canary ${formatPercent(stages.share, 0)}` : 'Shadow'} {shortVersion(stages.challenger)}
    </Badge>
  )
}

function ModelItem({ model, selected }: { model: RegisteredModel; selected: boolean }) {
  const selectModel = useSelectModel()
  const latest = answeringVersion(model) // the champion: what answers, not a newer candidate
  const rocAuc = latest?.metrics?.roc_auc
  return (
    <li
      data-model={model.name}
      className={`flex min-w-0 flex-col rounded-xl border p-4 ${selected ? 'border-sky-500/50 bg-sky-500/5' : 'border-slate-800 bg-slate-900/50'}`}
    >
      <h3 className="flex min-w-0 flex-wrap items-center gap-2">
        <button
          type="button"
          onClick={() => selectModel(model.name, 'overview')}
          className="min-w-0 truncate font-mono text-base font-semibold text-white hover:text-sky-300"
          title={`Show ${model.name} in the dashboard`}
        >
          {model.name}
        </button>
        <Badge tone="muted">{humanize(model.task)}</Badge>
        {latest && <Badge tone="muted">{formatInt(latest.features.length)} features</Badge>}
        <ChallengerBadge stages={model.stages} />
        {selected && <Badge tone="info">Selected</Badge>}
        {!model.active && <Badge tone="muted">Retired</Badge>}
      </h3>
      <p className="mt-1 line-clamp-2 text-sm text-slate-400">{model.description || 'No description.'}</p>
      <dl className="mt-3 mb-4 grid grid-cols-2 gap-x-4 gap-y-3 sm:grid-cols-3">
        <Fact label={model.champion ? 'Champion' : 'Latest version'} className="col-span-2">
          {latest ? (
            <>
              <span className="font-mono text-xs" title={latest.version}>
                {latest.version}
              </span>
              <span className="text-slate-400"> · {latest.format}</span>
            </>
          ) : (
            '—'
          )}
        </Fact>
        <Fact label="Registered">{latest ? formatAgo(latest.registered_at) : '—'}</Fact>
        <Fact label="Versions">{formatInt(model.versions)}</Fact>
        <Fact label="Threshold">{formatNumber(latest?.threshold, 3)}</Fact>
        <Fact label="Reference ROC-AUC">{rocAuc === undefined ? '—' : formatNumber(rocAuc, 3)}</Fact>
        <Fact label="Last minute">
          <Traffic name={model.name} />
        </Fact>
        <Fact label="Drift">
          <DriftStatus name={model.name} />
        </Fact>
        <Fact label="Open alerts">
          <OpenAlerts name={model.name} />
        </Fact>
      </dl>
      <div className="mt-auto flex flex-wrap gap-2 border-t border-slate-800 pt-3">
        <Button size="sm" variant="primary" onClick={() => selectModel(model.name, 'overview')} aria-label={`Overview of ${model.name}`}>
          Overview
        </Button>
        <Button size="sm" onClick={() => selectModel(model.name, 'drift')} aria-label={`Drift of ${model.name}`}>
          Drift
        </Button>
        <Button size="sm" onClick={() => selectModel(model.name, 'models')} aria-label={`Versions of ${model.name}`}>
          Versions
        </Button>
      </div>
    </li>
  )
}

/** Every registered model as a card: what it is, its champion and challenger, its drift and open alerts; a click shows it. */
export function ModelList({ models, selected }: { models: RegisteredModel[]; selected: string | null }) {
  return (
    <ul className="grid gap-4 lg:grid-cols-2" aria-label="Registered models">
      {models.map((m) => (
        <ModelItem key={m.name} model={m} selected={m.name === selected} />
      ))}
    </ul>
  )
}
