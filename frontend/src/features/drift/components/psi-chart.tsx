import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import { SEVERITY_COLORS } from '../../../components/ui/badge'
import { CategoryTick, ChartFrame, chartTheme, tooltipNumber } from '../../../components/ui/chart-frame'
import { formatNumber, niceTicks, stepDigits } from '../../../lib/format'
import type { DriftThresholds, FeatureDrift } from '../../../types/api'
import { verdictColor } from '../drift-constants'

interface PsiChartProps {
  features: FeatureDrift[]
  thresholds: DriftThresholds
  selected: string | undefined
  onSelect: (feature: string) => void
  /** A feature's label from the model schema. */
  label: (feature: string) => string
}

/** About how wide a label of `n` characters is at the axis' 12 px (the category axis is sized to its longest label). */
const labelWidth = (labels: string[]) => Math.min(190, Math.max(72, Math.max(0, ...labels.map((l) => l.length)) * 6.4 + 10))

/**
 * PSI per feature as horizontal bars coloured by the feature's drift verdict (the table's colour
 * rule), with the cycle's two PSI threshold lines and round, evenly spaced ticks.
 */
export function PsiChart({ features, thresholds, selected, onSelect, label }: PsiChartProps) {
  const moderate: number | undefined = thresholds.psi_moderate
  const significant: number | undefined = thresholds.psi_significant
  const data = features.map((f) => ({ ...f, label: label(f.feature), psi: f.psi ?? 0 }))
  const ticks = niceTicks(Math.max((significant ?? 0) * 1.15, ...data.map((d) => d.psi)), 4)
  const digits = Math.max(1, stepDigits(ticks))
  // The lines' own labels only while they stand apart (PSI in the tens squeezes them together; the card's subtitle names them too).
  const apart = moderate !== undefined && significant !== undefined && (significant - moderate) / (ticks.at(-1) ?? 1) > 0.06
  const lineLabel = (value: number, fill: string) => (apart ? { value: String(value), position: 'top' as const, fill, fontSize: 11 } : undefined)
  return (
    <ChartFrame height={Math.max(220, data.length * 26 + 40)} label="Population stability index per feature">
      <BarChart data={data} layout="vertical" margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid {...chartTheme.grid} horizontal={false} />
        <XAxis type="number" domain={[0, ticks.at(-1) ?? 1]} ticks={ticks} interval={0} {...chartTheme.axis} tickFormatter={(v) => formatNumber(v, digits)} />
        <YAxis type="category" dataKey="label" width={labelWidth(data.map((d) => d.label))} {...chartTheme.axis} interval={0} tick={CategoryTick} />
        <Tooltip {...chartTheme.tooltip} formatter={(v) => [formatNumber(tooltipNumber(v), 3), 'PSI']} />
        {moderate !== undefined && (
          <ReferenceLine x={moderate} stroke={SEVERITY_COLORS.moderate} strokeDasharray="4 4" label={lineLabel(moderate, SEVERITY_COLORS.moderate)} />
        )}
        {significant !== undefined && (
          <ReferenceLine x={significant} stroke={SEVERITY_COLORS.significant} strokeDasharray="4 4" label={lineLabel(significant, SEVERITY_COLORS.significant)} />
        )}
        <Bar dataKey="psi" radius={[0, 4, 4, 0]} isAnimationActive={false} onClick={(_, index) => onSelect(data[index].feature)} cursor="pointer">
          {data.map((d) => (
            <Cell
              key={d.feature}
              fill={verdictColor(d)}
              data-feature={d.feature}
              data-severity={d.severity}
              fillOpacity={selected && selected !== d.feature ? 0.7 : 1}
              stroke={selected === d.feature ? '#e2e8f0' : 'none'}
            />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  )
}
