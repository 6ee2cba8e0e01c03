import type { ReactElement } from 'react'
import { ResponsiveContainer, type XAxisProps } from 'recharts'
import { formatClock } from '../../lib/format'

/** A fixed-height, full-width chart area (with a size for jsdom, which has no layout). */
interface ChartFrameProps {
  height?: number
  label: string
  children: ReactElement
}

export function ChartFrame({ height = 240, children, label }: ChartFrameProps) {
  return (
    <div style={{ height }} className="w-full" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height }}>
        {children}
      </ResponsiveContainer>
    </div>
  )
}

/** A category axis label on one line (Recharts would wrap it to the axis width). */
export function CategoryTick({ x, y, payload }: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill="#94a3b8" fontSize={12}>
      {String(payload?.value ?? '')}
    </text>
  )
}

/** A tooltip's value as the number it is (Recharts types values loosely; ours are numbers or null). */
export const tooltipNumber = (value: unknown): number | null => (typeof value === 'number' ? value : null)

/** A tooltip's label on a time axis (epoch ms or ISO string) as a clock time. */
export const tooltipTime = (label: unknown): string =>
  formatClock(typeof label === 'number' || typeof label === 'string' ? label : null)

/**
 * A time axis: `dataKey` holds epoch ms, ticks read as clock times. A number axis (not categories)
 * puts a model change (event-marks.tsx) at its own time, between two points.
 */
export const timeAxis = (dataKey: string): XAxisProps => ({
  dataKey,
  type: 'number',
  domain: ['dataMin', 'dataMax'],
  scale: 'time',
  tickFormatter: formatClock,
  minTickGap: 32,
  ...chartTheme.axis,
})

/** The first and last time (epoch ms) of a series ordered by time; null when it is empty. */
export const timeRange = (points: { t: number }[]): [number, number] | null => {
  const first = points.at(0)
  const last = points.at(-1)
  return first && last ? [first.t, last.t] : null
}

/** Shared look of axes, grids and tooltips on the dark background. */
export const chartTheme = {
  axis: { stroke: '#64748b', fontSize: 11, tickLine: false },
  grid: { stroke: '#1e293b', strokeDasharray: '3 3' },
  tooltip: {
    contentStyle: { background: '#0f172a', border: '1px solid #334155', borderRadius: 8, fontSize: 12 },
    labelStyle: { color: '#cbd5e1' },
    itemStyle: { color: '#e2e8f0' },
    cursor: { fill: 'rgba(148, 163, 184, 0.08)' },
  },
}
