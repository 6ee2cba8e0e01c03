import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { EventMarks } from '../../../components/event-marks'
import { ChartFrame, chartTheme, timeAxis, timeRange, tooltipNumber, tooltipTime } from '../../../components/ui/chart-frame'
import { StateMessage } from '../../../components/ui/state-message'
import { formatNumber } from '../../../lib/format'
import type { PerformancePoint } from '../../../types/api'

/** One cycle's row: realized_auc, estimated_f1, … by time (epoch ms). */
type Row = { t: number } & Partial<Record<`${'realized' | 'estimated'}_${'auc' | 'f1'}`, number | null>>

/** Realized and estimated ROC-AUC and F1 per cycle, on one time axis, with the model's changes marked. */
export function QualityChart({ realized, estimated }: { realized: PerformancePoint[]; estimated: PerformancePoint[] }) {
  const byTime = new Map<number, Row>()
  for (const [kind, points] of [['realized', realized], ['estimated', estimated]] as const) {
    for (const p of points ?? []) {
      const t = Date.parse(p.computed_at)
      const row = byTime.get(t) ?? { t }
      row[`${kind}_auc`] = p.roc_auc
      row[`${kind}_f1`] = p.f1
      byTime.set(t, row)
    }
  }
  const data = [...byTime.values()].sort((a, b) => a.t - b.t)
  if (data.length < 2) {
    return <StateMessage title="Trend builds up cycle by cycle">A line appears after the second monitoring cycle.</StateMessage>
  }
  return (
    <ChartFrame height={240} label="Realized and estimated ROC-AUC and F1 over time">
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 8, left: 0 }}>
        <CartesianGrid {...chartTheme.grid} />
        <XAxis {...timeAxis('t')} minTickGap={24} />
        <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} {...chartTheme.axis} width={40} tickFormatter={(v) => formatNumber(v, 2)} />
        <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [formatNumber(tooltipNumber(v), 3), name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Line dataKey="realized_auc" name="ROC-AUC realized" stroke="#38bdf8" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        <Line dataKey="estimated_auc" name="ROC-AUC estimated" stroke="#38bdf8" strokeDasharray="5 4" dot={false} connectNulls isAnimationActive={false} />
        <Line dataKey="realized_f1" name="F1 realized" stroke="#a78bfa" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        <Line dataKey="estimated_f1" name="F1 estimated" stroke="#a78bfa" strokeDasharray="5 4" dot={false} connectNulls isAnimationActive={false} />
        <EventMarks range={timeRange(data)} />
      </LineChart>
    </ChartFrame>
  )
}
