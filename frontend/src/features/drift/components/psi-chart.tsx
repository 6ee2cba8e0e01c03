import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { SEVERITY_COLORS } from '../../../components/ui/badge'
import { CategoryTick, ChartFrame, chartTheme, tooltipNumber } from '../../../components/ui/chart-frame'
import { formatNumber, humanize } from '../../../lib/format'
import type { DriftThresholds, FeatureDrift } from '../../../types/api'

interface PsiChartProps {
  features: FeatureDrift[]
  thresholds: DriftThresholds
  selected: string | undefined
  onSelect: (feature: string) => void
}

/** PSI per feature as horizontal bars coloured by PSI severity, with the cycle's two threshold lines. */
export function PsiChart({ features, thresholds, selected, onSelect }: PsiChartProps) {
  const moderate: number | undefined = thresholds.psi_moderate
  const significant: number | undefined = thresholds.psi_significant
  const data = features.map((f) => ({ ...f, label: humanize(f.feature), psi: f.psi ?? 0 }))
  const top = Math.ceil(Math.max((significant ?? 0) * 1.3, ...data.map((d) => d.psi)) * 10) / 10
  return (
    <ChartFrame height={Math.max(220, data.length * 26 + 40)} label="Population stability index per feature">
      <BarChart data={data} layout="vertical" margin={{ top: 16, right: 24, bottom: 4, left: 8 }}>
        <CartesianGrid {...chartTheme.grid} horizontal={false} />
        <XAxis type="number" domain={[0, Number(top.toFixed(2))]} {...chartTheme.axis} tickFormatter={(v) => formatNumber(v, 2)} />
        <YAxis type="category" dataKey="label" width={170} {...chartTheme.axis} interval={0} tick={CategoryTick} />
        <Tooltip {...chartTheme.tooltip} formatter={(v) => [formatNumber(tooltipNumber(v), 3), 'PSI']} />
        {moderate !== undefined && (
          <ReferenceLine x={moderate} stroke={SEVERITY_COLORS.moderate} strokeDasharray="4 4" label={{ value: String(moderate), position: 'top', fill: SEVERITY_COLORS.moderate, fontSize: 11 }} />
        )}
        {significant !== undefined && (
          <ReferenceLine x={significant} stroke={SEVERITY_COLORS.significant} strokeDasharray="4 4" label={{ value: String(significant), position: 'top', fill: SEVERITY_COLORS.significant, fontSize: 11 }} />
        )}
        <Bar dataKey="psi" radius={[0, 4, 4, 0]} isAnimationActive={false} onClick={(_, index) => onSelect(data[index].feature)} cursor="pointer">
          {data.map((d) => (
            <Cell
              key={d.feature}
              fill={SEVERITY_COLORS[d.psi_severity] ?? '#64748b'}
              fillOpacity={selected && selected !== d.feature ? 0.7 : 1}
              stroke={selected === d.feature ? '#e2e8f0' : 'none'}
            />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  )
}
