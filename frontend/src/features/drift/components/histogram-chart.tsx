import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, chartTheme, tooltipNumber } from '../../../components/ui/chart-frame'
import { formatBinLabel, formatPercent } from '../../../lib/format'
import type { Histogram } from '../../../types/api'

/** Reference vs current share per bin, side by side. */
export function HistogramChart({ histogram, height = 240 }: { histogram: Histogram | undefined; height?: number }) {
  if (!histogram?.bins?.length) return <p className="text-sm text-slate-400">No histogram for this feature yet.</p>
  const data = histogram.bins.map((bin, i) => ({ bin, reference: histogram.reference[i], current: histogram.current[i] }))
  return (
    <ChartFrame height={height} label="Reference and current distributions">
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} barGap={1}>
        <CartesianGrid {...chartTheme.grid} vertical={false} />
        <XAxis dataKey="bin" {...chartTheme.axis} interval="preserveStartEnd" minTickGap={8} tickFormatter={formatBinLabel} />
        <YAxis {...chartTheme.axis} tickFormatter={(v) => formatPercent(v, 0)} width={44} />
        <Tooltip {...chartTheme.tooltip} formatter={(v, name) => [formatPercent(tooltipNumber(v), 1), name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="reference" name="Reference (training)" fill="#64748b" isAnimationActive={false} />
        <Bar dataKey="current" name="Current window" fill="#38bdf8" isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  )
}
