import { Area, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts'
import { EventMarks } from '../../../components/event-marks'
import { ChartFrame, chartTheme, timeAxis, timeRange, tooltipNumber, tooltipTime } from '../../../components/ui/chart-frame'
import { StateMessage } from '../../../components/ui/state-message'
import { formatNumber } from '../../../lib/format'
import type { PerformancePoint } from '../../../types/api'
import { MIN_LABELS } from './metrics-table'

/** Realized (from labels) and estimated (CBPE, from the scores) each have one colour; the metric is the dash. */
export const REALIZED_COLOR = '#38bdf8'
export const ESTIMATED_COLOR = '#a78bfa'

/**
 * One cycle's row by time (epoch ms): realized and estimated ROC-AUC and F1, the estimated
 * ROC-AUC's band, and a realized ROC-AUC from fewer than MIN_LABELS labels kept apart
 * (`realized_auc_few`) so the line never joins it.
 */
interface Row {
  t: number
  realized_auc?: number | null
  realized_f1?: number | null
  realized_auc_few?: number | null
  estimated_auc?: number | null
  estimated_f1?: number | null
  estimated_band?: [number, number] | null
}

/** A hollow dot: a realized ROC-AUC from too few labels to judge (none where the row has none). */
function HollowDot(props: { cx?: number; cy?: number; value?: unknown; index?: number }) {
  const { cx, cy, value, index } = props
  if (cx === undefined || cy === undefined || typeof value !== 'number') return <g key={index} />
  return <circle key={index} cx={cx} cy={cy} r={3.5} fill="#0f172a" stroke={REALIZED_COLOR} strokeWidth={1.5} data-testid="few-labels-dot" />
}

function rows(realized: PerformancePoint[], estimated: PerformancePoint[]): Row[] {
  const byTime = new Map<number, Row>()
  const row = (at: string) => {
    const t = Date.parse(at)
    const found = byTime.get(t) ?? { t }
    byTime.set(t, found)
    return found
  }
  for (const p of realized ?? []) {
    const r = row(p.computed_at)
    if (p.n_rows >= MIN_LABELS) {
      r.realized_auc = p.roc_auc
      r.realized_f1 = p.f1
    } else {
      r.realized_auc_few = p.roc_auc
    }
  }
  for (const p of estimated ?? []) {
    const r = row(p.computed_at)
    r.estimated_auc = p.roc_auc
    r.estimated_f1 = p.f1
    r.estimated_band = p.roc_auc_low != null && p.roc_auc_high != null ? [p.roc_auc_low, p.roc_auc_high] : null
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

/** A tooltip value: one figure, or the band as "low – high". */
function tooltipValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => formatNumber(tooltipNumber(v), 3)).join(' – ')
  return formatNumber(tooltipNumber(value), 3)
}

/**
 * Realized and estimated ROC-AUC and F1 per cycle, on one time axis, with the model's changes marked.
 * The estimated ROC-AUC carries its 90% band (where a realized ROC-AUC falls while the scores still
 * hold); a realized ROC-AUC from fewer than MIN_LABELS labels (just after a traffic switch) is a hollow
 * dot off the line: too few labels to judge, as the table says.
 */
interface QualityChartProps {
  model: string
  realized: PerformancePoint[]
  estimated: PerformancePoint[]
}

export function QualityChart({ model, realized, estimated }: QualityChartProps) {
  const data = rows(realized, estimated)
  if (data.length < 2) {
    return <StateMessage title="Trend builds up cycle by cycle">A line appears after the second monitoring cycle.</StateMessage>
  }
  const few = data.some((r) => typeof r.realized_auc_few === 'number')
  return (
    <div>
      <ChartFrame height={240} label="Realized and estimated ROC-AUC and F1 over time">
        <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 8, left: 0 }}>
          <CartesianGrid {...chartTheme.grid} />
          <XAxis {...timeAxis('t')} minTickGap={24} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...chartTheme.axis} width={40} tickFormatter={(v) => formatNumber(v, 2)} />
          <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [tooltipValue(v), name]} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area
            dataKey="estimated_band"
            name="ROC-AUC estimated, 90% band"
            stroke="none"
            fill={ESTIMATED_COLOR}
            fillOpacity={0.18}
            connectNulls
            isAnimationActive={false}
          />
          <Line dataKey="realized_auc" name="ROC-AUC realized" stroke={REALIZED_COLOR} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line dataKey="estimated_auc" name="ROC-AUC estimated" stroke={ESTIMATED_COLOR} strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
          <Line dataKey="realized_f1" name="F1 realized" stroke={REALIZED_COLOR} strokeDasharray="5 4" dot={false} connectNulls isAnimationActive={false} />
          <Line dataKey="estimated_f1" name="F1 estimated" stroke={ESTIMATED_COLOR} strokeDasharray="5 4" dot={false} connectNulls isAnimationActive={false} />
          {few && (
            <Line
              dataKey="realized_auc_few"
              name={`ROC-AUC realized, < ${MIN_LABELS} labels`}
              stroke="none"
              dot={HollowDot}
              activeDot={false}
              legendType="circle"
              isAnimationActive={false}
            />
          )}
          <EventMarks range={timeRange(data)} model={model} />
        </ComposedChart>
      </ChartFrame>
      {few && (
        <p className="mt-1 text-[11px] text-slate-500" data-testid="few-labels-note">
          Hollow dots: realized ROC-AUC from fewer than {MIN_LABELS} labels (as right after a traffic switch, which starts the label
          window afresh): too few to judge, so off the line and no alert.
        </p>
      )}
    </div>
  )
}
