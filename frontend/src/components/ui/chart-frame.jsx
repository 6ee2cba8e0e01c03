import { ResponsiveContainer } from 'recharts'

/** A fixed-height, full-width chart area (with a size for jsdom, which has no layout). */
export function ChartFrame({ height = 240, children, label }) {
  return (
    <div style={{ height }} className="w-full" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height }}>
        {children}
      </ResponsiveContainer>
    </div>
  )
}

/** A category axis label on one line (Recharts would wrap it to the axis width). */
export function CategoryTick({ x, y, payload }) {
  return (
    <text x={x} y={y} dy={4} textAnchor="end" fill="#94a3b8" fontSize={12}>
      {payload.value}
    </text>
  )
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
