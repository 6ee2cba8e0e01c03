import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { SEVERITY_COLORS } from '../../../components/ui/badge'
import { ChartFrame, chartTheme } from '../../../components/ui/chart-frame'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { formatClock, formatNumber } from '../../../lib/format'
import { useDriftHistory } from '../../../lib/queries'
import { DEFAULT_PSI_THRESHOLDS } from '../drift-constants'

/** PSI and the test statistic of one feature over the recent cycles. */
export function HistoryChart({ feature, thresholds }) {
  const history = useDriftHistory(feature)
  return (
    <QueryState query={history} loading="Loading history…">
      {(data) =>
        data.points.length < 2 ? (
          <StateMessage title="History builds up cycle by cycle">A line appears after the second monitoring cycle.</StateMessage>
        ) : (
          <ChartFrame height={240} label={`PSI and test statistic of ${feature} over time`}>
            <LineChart data={data.points} margin={{ top: 8, right: 12, bottom: 8, left: 0 }}>
              <CartesianGrid {...chartTheme.grid} />
              <XAxis dataKey="computed_at" tickFormatter={formatClock} {...chartTheme.axis} minTickGap={24} />
              <YAxis yAxisId="psi" {...chartTheme.axis} width={44} tickFormatter={(v) => formatNumber(v, 2)} />
              <YAxis yAxisId="stat" orientation="right" {...chartTheme.axis} width={48} tickFormatter={(v) => formatNumber(v, 2)} />
              <Tooltip {...chartTheme.tooltip} labelFormatter={formatClock} formatter={(v, name) => [formatNumber(v, 3), name]} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <ReferenceLine yAxisId="psi" y={thresholds?.psi_moderate ?? DEFAULT_PSI_THRESHOLDS.psi_moderate} stroke={SEVERITY_COLORS.moderate} strokeDasharray="4 4" />
              <ReferenceLine yAxisId="psi" y={thresholds?.psi_significant ?? DEFAULT_PSI_THRESHOLDS.psi_significant} stroke={SEVERITY_COLORS.significant} strokeDasharray="4 4" />
              <Line yAxisId="psi" type="monotone" dataKey="psi" name="PSI" stroke="#38bdf8" dot={false} strokeWidth={2} isAnimationActive={false} />
              <Line yAxisId="stat" type="monotone" dataKey="statistic" name="Test statistic (right axis)" stroke="#a78bfa" dot={false} strokeWidth={2} isAnimationActive={false} />
            </LineChart>
          </ChartFrame>
        )
      }
    </QueryState>
  )
}
