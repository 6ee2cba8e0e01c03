import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { WaitingForCycle } from '../../../components/waiting-for-cycle'
import { config } from '../../../config/env'
import { formatInt, formatPercent } from '../../../lib/format'
import { useFeatureSpecs } from '../../../lib/feature-specs'
import { useDriftSummary } from '../../../lib/api/get-drift-summary'
import type { DriftSummary } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { Ago } from '../../../components/ago'

function Summary({ summary, model }: { summary: DriftSummary; model: string }) {
  const { label } = useFeatureSpecs(model)
  if (summary.status === 'no_data' || !summary.run) {
    return (
      <WaitingForCycle cycle="drift">
        The monitoring worker compares recent traffic with the training data every {config.driftCycleSeconds} s.
      </WaitingForCycle>
    )
  }
  const drifted = summary.drifted_features ?? []
  const judged = summary.status !== 'insufficient_data'
  const tone = !judged ? 'muted' : summary.dataset_drift ? 'critical' : drifted.length ? 'warning' : 'ok'
  const headline = !judged
    ? 'Not judged yet'
    : summary.dataset_drift ? 'Dataset drift detected' : drifted.length ? 'Some features drift' : 'No dataset drift'
  return (
    <div className="space-y-3" data-testid="dataset-drift-status" data-drift={String(Boolean(summary.dataset_drift))}>
      <div className="flex flex-wrap items-center gap-3">
        <Badge tone={tone}>{headline}</Badge>
        {judged && (
          <span className="text-sm text-slate-300">
            {drifted.length} of {summary.n_features} features drifted ({formatPercent(summary.drift_share, 0)})
          </span>
        )}
      </div>
      {!judged && (
        <p className="text-xs text-amber-300">
          The last window held only {formatInt(summary.run.n_rows)} predictions, too few for reliable tests; drift is
          judged as soon as there are enough.
        </p>
      )}
      {drifted.length > 0 && (
        <ul className="flex flex-wrap gap-1.5">
          {drifted.map((name) => (
            <li key={name}>
              <Badge tone="critical">{label(name)}</Badge>
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-slate-400">
        Prediction drift:{' '}
        <span className="text-slate-200">{summary.prediction_drift ? (summary.prediction_drift.drifted ? 'yes' : 'no') : '—'}</span>
        {' · '}Last cycle <Ago iso={summary.run.finished_at} />
      </p>
      <p className="text-xs text-slate-500">{summary.rule}</p>
    </div>
  )
}

export function DriftStatusCard({ model, onNavigate }: ViewProps) {
  const summary = useDriftSummary(model)
  return (
    <Card
      title="Dataset drift"
      subtitle="Latest monitoring cycle"
      action={
        <Button size="sm" variant="ghost" onClick={() => onNavigate?.('drift')}>
          Details →
        </Button>
      }
    >
      <QueryState query={summary} loading="Loading drift status…">
        {(data) => <Summary summary={data} model={model} />}
      </QueryState>
    </Card>
  )
}
