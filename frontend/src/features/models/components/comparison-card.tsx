import { Area, CartesianGrid, ComposedChart, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { EventMarks } from '../../../components/event-marks'
import { Badge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { ChartFrame, chartTheme, timeAxis, timeRange, tooltipNumber, tooltipTime } from '../../../components/ui/chart-frame'
import { Stat } from '../../../components/ui/stat'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { formatInt, formatNumber, formatPercent, formatSigned, shortVersion } from '../../../lib/format'
import { useComparison } from '../api/get-comparison'
import type { Comparison, ComparisonPoint } from '../../../types/api'
import { currentPoints, detailsOf, GATE_WORDS, sentence } from '../lifecycle'

const COLORS = { champion: '#38bdf8', challenger: '#a78bfa', difference: '#e2e8f0', band: '#a78bfa' }
const margin = { top: 8, right: 12, bottom: 8, left: 0 }

const STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1]

/** An axis over ``values`` (and ``include``) with evenly spaced round ticks, at most six intervals. */
export function evenAxis(values: (number | null)[], include: number[] = [], bounds: [number, number] = [-Infinity, Infinity]) {
  const figures = [...values.filter((v): v is number => v !== null && Number.isFinite(v)), ...include]
  if (!figures.length) return { domain: [0, 1] as [number, number], ticks: undefined }
  const min = Math.min(...figures)
  const max = Math.max(...figures)
  for (const step of STEPS) {
    const lo = Math.max(bounds[0], Math.floor(min / step + 1e-9) * step)
    const hi = Math.min(bounds[1], Math.ceil(max / step - 1e-9) * step)
    const n = Math.round((hi - lo) / step)
    if (n <= 6) {
      const ticks = Array.from({ length: n + 1 }, (_, i) => Number((lo + i * step).toFixed(4)))
      return { domain: [ticks[0], ticks[ticks.length - 1]] as [number, number], ticks }
    }
  }
  return { domain: [min, max] as [number, number], ticks: undefined }
}

/** One cycle on the charts: both versions' realized ROC-AUC, their difference and its interval. */
interface Row {
  t: number
  champion: number | null
  challenger: number | null
  diff: number | null
  band: [number, number] | null
}

function rowOf(point: ComparisonPoint): Row {
  const details = detailsOf(point)
  const { estimate = null, low = null, high = null } = details.auc_diff ?? {}
  return {
    t: Date.parse(point.computed_at),
    champion: details.champion?.realized?.roc_auc ?? null,
    challenger: details.challenger?.realized?.roc_auc ?? null,
    diff: estimate,
    band: low !== null && high !== null ? [low, high] : null,
  }
}

/** A tooltip's value: the interval's two ends, or one figure. */
const tooltipValue = (value: unknown) =>
  Array.isArray(value) ? `${formatSigned(tooltipNumber(value[0]))} to ${formatSigned(tooltipNumber(value[1]))}` : formatNumber(tooltipNumber(value), 3)

interface ChartsProps {
  model: string
  rows: Row[]
  champion: string
  challenger: string
}

function Charts({ model, rows, champion, challenger }: ChartsProps) {
  const range = timeRange(rows)
  const dot = rows.length <= 12
  const auc = evenAxis(rows.flatMap((r) => [r.champion, r.challenger]), [], [0, 1])
  const diff = evenAxis(rows.flatMap((r) => [r.diff, ...(r.band ?? [])]), [0])
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <div>
        <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">Realized ROC-AUC</h3>
        <ChartFrame height={220} label="Realized ROC-AUC of the champion and the challenger over time">
          <LineChart data={rows} margin={margin} syncId="comparison">
            <CartesianGrid {...chartTheme.grid} />
            <XAxis {...timeAxis('t')} />
            <YAxis domain={auc.domain} ticks={auc.ticks} {...chartTheme.axis} width={44} tickFormatter={(v) => formatNumber(v, 2)} />
            <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [tooltipValue(v), name]} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            <Line dataKey="champion" name={`Champion ${shortVersion(champion)}`} stroke={COLORS.champion} strokeWidth={2} dot={dot} connectNulls isAnimationActive={false} />
            <Line dataKey="challenger" name={`Challenger ${shortVersion(challenger)}`} stroke={COLORS.challenger} strokeWidth={2} dot={dot} connectNulls isAnimationActive={false} />
            <EventMarks range={range} model={model} />
          </LineChart>
        </ChartFrame>
      </div>
      <div>
        <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">ROC-AUC difference (challenger − champion)</h3>
        <ChartFrame height={220} label="ROC-AUC difference of the challenger over the champion, with its 95% interval, over time">
          <ComposedChart data={rows} margin={margin} syncId="comparison">
            <CartesianGrid {...chartTheme.grid} />
            <XAxis {...timeAxis('t')} />
            <YAxis domain={diff.domain} ticks={diff.ticks} {...chartTheme.axis} width={56} tickFormatter={(v) => formatSigned(v, 3)} />
            <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [tooltipValue(v), name]} />
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
            <ReferenceLine y={0} stroke="#94a3b8" strokeWidth={1} className="zero-line" />
            <Area dataKey="band" name="95% interval" stroke="none" fill={COLORS.band} fillOpacity={0.22} connectNulls isAnimationActive={false} className="auc-band" />
            <Line dataKey="diff" name="Difference" stroke={COLORS.difference} strokeWidth={2} dot={dot} connectNulls isAnimationActive={false} />
            <EventMarks range={range} model={model} />
          </ComposedChart>
        </ChartFrame>
      </div>
    </div>
  )
}

/** The newest cycle in figures: agreement, labelled rows, the difference, and what the promotion gate decided. */
function Summary({ point }: { point: ComparisonPoint }) {
  const details = detailsOf(point)
  const diff = details.auc_diff
  const gate = details.gate
  return (
    <div className="mt-4 space-y-3" data-testid="comparison-summary">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <Stat
          label="Agreement"
          value={formatPercent(details.agreement, 1)}
          hint={`same decision on ${formatInt(point.n_paired)} requests both scored`}
          testId="comparison-agreement"
        />
        <Stat label="Labelled rows" value={formatInt(point.n_labelled)} hint="what realized ROC-AUC is judged on" testId="comparison-labelled" />
        <Stat
          label="ROC-AUC difference"
          value={formatSigned(diff?.estimate)}
          hint={diff?.low != null && diff.high != null ? `95% interval ${formatSigned(diff.low)} to ${formatSigned(diff.high)}` : 'too few labels for an interval'}
          tone={diff?.low != null && diff.low > 0 ? 'good' : diff?.high != null && diff.high < 0 ? 'bad' : 'default'}
          testId="comparison-auc-diff"
        />
      </div>
      {gate && (
        <p
          className="flex flex-wrap items-baseline gap-x-2 gap-y-1 rounded-lg border border-slate-800 bg-slate-950/40 px-3 py-2 text-sm text-slate-300"
          data-testid="gate-decision"
          data-decision={gate.decision}
        >
          <Badge tone={gate.decision === 'promote' ? 'ok' : 'muted'}>Promotion gate</Badge>{' '}
          <strong className="font-semibold text-slate-100">{GATE_WORDS[gate.decision] ?? gate.decision}.</strong>{' '}
          <span>{sentence(gate.reason)}</span>
        </p>
      )}
    </div>
  )
}

function ComparisonBody({ comparison }: { comparison: Comparison }) {
  const { stages } = comparison
  if (!stages.challenger || !stages.champion) {
    return <StateMessage title="No challenger: retrain or put a version in shadow to compare" />
  }
  const points = currentPoints(comparison.points, stages)
  const newest = points.at(-1)
  if (!newest) {
    return (
      <StateMessage title="The comparison builds up cycle by cycle">
        The first point appears after the next monitoring cycle, once both versions have scored the same requests.
      </StateMessage>
    )
  }
  const rows = points.map(rowOf)
  const labelled = rows.some((r) => r.champion !== null || r.challenger !== null || r.diff !== null)
  return (
    <>
      {labelled ? (
        <Charts model={comparison.model} rows={rows} champion={stages.champion} challenger={stages.challenger} />
      ) : (
        <StateMessage title="Waiting for labels">
          Both versions score the same requests; their realized ROC-AUC and its difference appear once delayed labels arrive for them.
        </StateMessage>
      )}
      <Summary point={newest} />
    </>
  )
}

/** Champion against challenger over the last hour, on the same requests: ROC-AUC of both, their difference, the gate. */
export function ComparisonCard({ name }: { name: string }) {
  const comparison = useComparison(name)
  const stages = comparison.data?.stages
  const subtitle =
    stages?.challenger && stages.champion
      ? `${shortVersion(stages.champion)} against ${shortVersion(stages.challenger)} in ${stages.mode === 'canary' ? `canary (${formatPercent(stages.share, 0)})` : 'shadow'} · last hour, one point per monitoring cycle`
      : `${name}: its champion against a challenger on the same requests`
  return (
    <Card title="Champion vs challenger" subtitle={subtitle} data-testid="comparison-chart">
      <QueryState query={comparison} loading="Loading the comparison…" errorTitle="Could not load the comparison">
        {(data) => <ComparisonBody comparison={data} />}
      </QueryState>
    </Card>
  )
}
