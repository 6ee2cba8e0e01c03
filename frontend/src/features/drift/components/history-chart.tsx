import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { EventMarks } from '../../../components/event-marks'
import { SEVERITY_COLORS } from '../../../components/ui/badge'
import { ChartFrame, chartTheme, timeAxis, timeRange, tooltipNumber, tooltipTime } from '../../../components/ui/chart-frame'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { formatNumber, niceTicks, stepDigits } from '../../../lib/format'
import { useDriftHistory } from '../api/get-drift-history'
import type { DriftHistory, DriftThresholds } from '../../../types/api'

/** The history's points on a time axis (epoch ms in `t`), oldest first. */
const byTime = (points: DriftHistory['points']) => points.map((p) => ({ ...p, t: Date.parse(p.computed_at) })).sort((a, b) => a.t - b.t)

/**
 * PSI and the test statistic of one feature over the recent cycles, with the cycle's PSI thresholds
 * as lines and the model's changes (promotions, rollbacks, …) marked at their time.
 */
interface HistoryChartProps {
  model: string
  feature: string
  label: string
  thresholds: DriftThresholds
}

export function HistoryChart({ model, feature, label, thresholds }: HistoryChartProps) {
  const history = useDriftHistory(model, feature)
  const moderate: number | undefined = thresholds.psi_moderate
  const significant: number | undefined = thresholds.psi_significant
  return (
    <QueryState query={history} loading="Loading history…">
      {(data) => {
        if (data.points.length < 2) {
          return <StateMessage title="History builds up cycle by cycle">A line appears after the second monitoring cycle.</StateMessage>
        }
        const points = byTime(data.points)
        // Round, evenly spaced ticks: PSI up to past its significant line, the statistic to its own maximum.
        const psiTicks = niceTicks(Math.max((significant ?? 0) * 1.15, ...points.map((p) => p.psi ?? 0)), 4)
        const statTicks = niceTicks(Math.max(...points.map((p) => p.statistic ?? 0)), 4)
        const psiDigits = Math.max(1, stepDigits(psiTicks))
        const statDigits = stepDigits(statTicks)
        return (
          <ChartFrame height={240} label={`PSI and test statistic of ${label} over time`}>
            <LineChart data={points} margin={{ top: 8, right: 12, bottom: 8, left: 0 }}>
              <CartesianGrid {...chartTheme.grid} />
              <XAxis {...timeAxis('t')} minTickGap={24} />
              <YAxis yAxisId="psi" {...chartTheme.axis} width={44} domain={[0, psiTicks.at(-1) ?? 1]} ticks={psiTicks} interval={0} tickFormatter={(v) => formatNumber(v, psiDigits)} />
              <YAxis
                yAxisId="stat"
                orientation="right"
                {...chartTheme.axis}
                width={48}
                domain={[0, statTicks.at(-1) ?? 1]}
                ticks={statTicks}
                interval={0}
                tickFormatter={(v) => formatNumber(v, statDigits)}
              />
              <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [formatNumber(tooltipNumber(v), 3), name]} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {moderate !== undefined && <ReferenceLine yAxisId="psi" y={moderate} stroke={SEVERITY_COLORS.moderate} strokeDasharray="4 4" />}
              {significant !== undefined && <ReferenceLine yAxisId="psi" y={significant} stroke={SEVERITY_COLORS.significant} strokeDasharray="4 4" />}
              <Line yAxisId="psi" type="monotone" dataKey="psi" name="PSI" stroke="#38bdf8" dot={false} strokeWidth={2} isAnimationActive={false} />
              <Line yAxisId="stat" type="monotone" dataKey="statistic" name="Test statistic (right axis)" stroke="#a78bfa" dot={false} strokeWidth={2} isAnimationActive={false} />
              <EventMarks range={timeRange(points)} yAxisId="psi" model={model} />
            </LineChart>
          </ChartFrame>
        )
      }}
    </QueryState>
  )
}
