import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { CategoryTick, ChartFrame, chartTheme, tooltipNumber } from '../../../components/ui/chart-frame'
import { formatNumber, humanize } from '../../../lib/format'
import type { Explanation } from '../../../types/api'

const signed = (value: number | null) => `${value !== null && value > 0 ? '+' : ''}${formatNumber(value, 3)}`

/** SHAP contributions (log-odds) as signed bars, largest effect first: red raises fraud risk, green lowers it. */
export function ShapBars({ contributions }: Pick<Explanation, 'contributions'>) {
  const data = Object.entries(contributions)
    .map(([feature, value]) => ({ feature, label: humanize(feature), value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
  return (
    <div data-testid="shap-bars">
      <ChartFrame height={data.length * 24 + 40} label="SHAP contribution per feature">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 8 }}>
          <CartesianGrid {...chartTheme.grid} horizontal={false} />
          <XAxis type="number" domain={['auto', 'auto']} {...chartTheme.axis} tickFormatter={(v) => formatNumber(v, 1)} />
          <YAxis type="category" dataKey="label" width={170} interval={0} {...chartTheme.axis} tick={CategoryTick} />
          <Tooltip {...chartTheme.tooltip} formatter={(v) => [`${signed(tooltipNumber(v))} log-odds`, 'SHAP']} />
          <ReferenceLine x={0} stroke="#94a3b8" />
          <Bar dataKey="value" isAnimationActive={false} radius={2}>
            {data.map((d) => (
              <Cell key={d.feature} fill={d.value >= 0 ? '#f43f5e' : '#34d399'} />
            ))}
          </Bar>
        </BarChart>
      </ChartFrame>
      <ul className="sr-only">
        {data.map((d) => (
          <li key={d.feature}>
            {d.label}: {d.value >= 0 ? '+' : ''}
            {formatNumber(d.value, 3)}
          </li>
        ))}
      </ul>
    </div>
  )
}
