import { Ago } from '../../../components/ago'
import { Card } from '../../../components/ui/card'
import { Stat } from '../../../components/ui/stat'
import { QueryState } from '../../../components/ui/state-message'
import { WaitingForCycle } from '../../../components/waiting-for-cycle'
import { formatDuration, formatInt, formatMoney, formatPercent } from '../../../lib/format'
import { useServedVersion } from '../../../lib/api/get-served-version'
import { MetricsTable } from './metrics-table'
import { QualityChart } from './quality-chart'
import { TrafficCharts } from '../../../components/traffic-charts'
import type { Performance } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { usePerformance } from '../api/get-performance'

function BusinessKpis({ latest, costs }: Pick<Performance, 'latest' | 'costs'>) {
  const realized = latest.realized
  const cost = realized ?? latest.estimated
  return (
    <div className="grid grid-cols-2 gap-3 xl:grid-cols-4">
      <Stat label="Label coverage" value={formatPercent(realized?.label_coverage, 0)} hint={`${formatInt(realized?.n_rows)} labelled predictions`} />
      <Stat label="Label lag (median)" value={formatDuration(realized?.label_lag_s)} hint="prediction → ground truth" />
      <Stat
        label="Business cost"
        value={formatMoney(cost?.cost_total)}
        hint={`${realized ? 'realized' : 'estimated'} · FP $${costs?.false_positive ?? '—'}, FN $${costs?.false_negative ?? '—'}`}
        tone={(cost?.cost_total ?? 0) > 0 ? 'warn' : 'default'}
      />
      <Stat label="Missed / false alarms" value={`${formatInt(cost?.false_negatives)} / ${formatInt(cost?.false_positives)}`} hint="false negatives / false positives" />
    </div>
  )
}

function PerformanceReport({ model, data }: { model: string; data: Performance }) {
  const served = useServedVersion(model)
  const { latest } = data
  return (
    <div className="space-y-4">
      <BusinessKpis latest={latest} costs={data.costs} />
      <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)]">
        <Card title="Model quality" subtitle="Latest monitoring cycle">
          {!latest.realized && (
            <p className="mb-2 text-xs text-amber-300">Waiting for delayed labels — realized metrics appear once ground truth arrives.</p>
          )}
          {latest.realized?.window_reason === 'since_switch' && (
            <p className="mb-2 text-xs text-slate-400" data-testid="realized-since-switch">
              Realized since the traffic switch <Ago iso={latest.realized.window_start} />: labels of the traffic before it are left out.
            </p>
          )}
          <MetricsTable realized={latest.realized} estimated={latest.estimated} reference={served.data?.metrics} />
        </Card>
        <Card title="Quality over time" subtitle="Blue: realized from labels · violet: estimated before labels, with its band · dashed: F1">
          <QualityChart model={model} realized={data.realized} estimated={data.estimated} />
        </Card>
      </div>
    </div>
  )
}

export default function PerformanceView({ model }: ViewProps) {
  const performance = usePerformance(model)
  return (
    <div className="space-y-4">
      <QueryState query={performance} loading="Loading performance…">
        {(data) =>
          !data.latest?.realized && !data.latest?.estimated ? (
            <WaitingForCycle cycle="monitoring">
              Estimated performance appears after the first cycle; realized metrics once delayed labels arrive.
            </WaitingForCycle>
          ) : (
            <PerformanceReport model={model} data={data} />
          )
        }
      </QueryState>
      <TrafficCharts model={model} />
    </div>
  )
}
