import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFrame, chartTheme, tooltipNumber } from '../../../components/ui/chart-frame'
import { formatPercent, niceTicks, stepDigits } from '../../../lib/format'
import { formatBin, type FeatureFormat } from '../../../lib/format-feature'
import type { Histogram } from '../../../types/api'

/**
 * A histogram's bins with labels in the feature's unit ("$22–$30", "00–08", "Mon"); a bin the
 * schema leaves no value for (an integer feature's "< 0" when its minimum is 0) is left out while empty.
 */
export function histogramRows(histogram: Histogram, spec: FeatureFormat | null | undefined) {
  return histogram.bins
    .map((bin, i) => ({ bin, label: formatBin(bin, spec), reference: histogram.reference[i] ?? 0, current: histogram.current[i] ?? 0 }))
    .filter((row) => row.label !== null || row.reference > 0 || row.current > 0)
    .map((row) => ({ ...row, label: row.label ?? row.bin }))
}

/** Reference vs current share per bin, side by side, on round percentage ticks. */
export function HistogramChart({ histogram, spec, height = 240 }: { histogram: Histogram | undefined; spec?: FeatureFormat | null; height?: number }) {
  if (!histogram?.bins?.length) return <p className="text-sm text-slate-400">No histogram for this feature yet.</p>
  const data = histogramRows(histogram, spec)
  const ticks = niceTicks(Math.max(...data.map((d) => Math.max(d.reference, d.current))), 4)
  const digits = Math.max(0, stepDigits(ticks) - 2)
  return (
    <ChartFrame height={height} label="Reference and current distributions">
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} barGap={1}>
        <CartesianGrid {...chartTheme.grid} vertical={false} />
        <XAxis dataKey="label" {...chartTheme.axis} interval="preserveStartEnd" minTickGap={6} />
        <YAxis {...chartTheme.axis} domain={[0, ticks.at(-1) ?? 1]} ticks={ticks} interval={0} tickFormatter={(v) => formatPercent(v, digits)} width={44} />
        <Tooltip {...chartTheme.tooltip} formatter={(v, name) => [formatPercent(tooltipNumber(v), 1), name]} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="reference" name="Reference (training)" fill="#64748b" isAnimationActive={false} />
        <Bar dataKey="current" name="Current window" fill="#38bdf8" isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  )
}
