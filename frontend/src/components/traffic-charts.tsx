import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'
import { EventMarks } from './event-marks'
import { Card } from './ui/card'
import { ChartFrame, chartTheme, timeAxis, timeRange, tooltipNumber, tooltipTime } from './ui/chart-frame'
import { StateMessage } from './ui/state-message'
import { formatMs, formatNumber, formatRate } from '../lib/format'
import { useStatsSeries } from '../lib/api/get-stats-series'

const margin = { top: 8, right: 12, bottom: 8, left: 0 }

/**
 * `model`'s latency percentiles and throughput over the last minutes, kept client-side from its live
 * stats, with the model's changes in that span marked.
 */
export function TrafficCharts({ model }: { model: string }) {
  const series = useStatsSeries(model).data
  const waiting = series.length < 3
  const range = timeRange(series)
  const note = <StateMessage kind="loading" title="Collecting live points">One point arrives every second over the live channel.</StateMessage>
  return (
    <div className="grid gap-4 xl:grid-cols-2">
      <Card title="Latency" subtitle="p50 / p95 / p99 over the trailing minute, ms">
        {waiting ? note : (
          <ChartFrame height={220} label="Latency percentiles over time">
            <LineChart data={series} margin={margin}>
              <CartesianGrid {...chartTheme.grid} />
              <XAxis {...timeAxis('t')} />
              <YAxis {...chartTheme.axis} width={44} tickFormatter={(v) => formatNumber(v, 0)} />
              <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v, name) => [formatMs(tooltipNumber(v)), name]} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Line dataKey="p50" name="p50" stroke="#34d399" dot={false} isAnimationActive={false} />
              <Line dataKey="p95" name="p95" stroke="#fbbf24" dot={false} isAnimationActive={false} />
              <Line dataKey="p99" name="p99" stroke="#f43f5e" dot={false} isAnimationActive={false} />
              <EventMarks range={range} model={model} />
            </LineChart>
          </ChartFrame>
        )}
      </Card>
      <Card title="Throughput" subtitle="Predictions per second over the trailing minute">
        {waiting ? note : (
          <ChartFrame height={220} label="Throughput over time">
            <AreaChart data={series} margin={margin}>
              <CartesianGrid {...chartTheme.grid} />
              <XAxis {...timeAxis('t')} />
              <YAxis {...chartTheme.axis} width={44} domain={[0, 'auto']} />
              <Tooltip {...chartTheme.tooltip} labelFormatter={tooltipTime} formatter={(v) => [formatRate(tooltipNumber(v)), 'Throughput']} />
              <Area dataKey="perSecond" stroke="#38bdf8" fill="#38bdf8" fillOpacity={0.15} isAnimationActive={false} />
              <EventMarks range={range} model={model} />
            </AreaChart>
          </ChartFrame>
        )}
      </Card>
    </div>
  )
}
