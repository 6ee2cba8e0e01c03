import { featureSpecs } from '../../../lib/feature-specs'
import { formatSigned } from '../../../lib/format'
import { formatFeatureValue } from '../../../lib/format-feature'
import type { FeatureSpec, RowExplanation } from '../../../types/api'

export const SHAP_COLORS = { towards: '#f43f5e', away: '#34d399' }

interface ShapBarsProps extends Pick<RowExplanation, 'contributions'> {
  /** The model's feature schema: labels and units. */
  schema?: FeatureSpec[]
  /** The input that was explained, by feature: each bar shows its value ("Amount (USD) = $1,240"). */
  values?: Record<string, unknown> | null
}

/**
 * SHAP contributions as signed bars around zero, largest effect first, each with the feature's
 * value beside its name: red pushes the score towards the positive class, green away from it. Rows of
 * text and bars (not an SVG chart), so long labels wrap on a phone instead of being cut.
 */
export function ShapBars({ contributions, schema, values }: ShapBarsProps) {
  const specs = featureSpecs(schema)
  const data = Object.entries(contributions)
    .map(([feature, value]) => ({ feature, label: specs.label(feature), value }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
  // Zero sits where the largest push each way leaves it: all-positive bars use the whole width.
  const down = Math.max(0, ...data.map((d) => -d.value))
  const span = Math.max(down + Math.max(0, ...data.map((d) => d.value)), 1e-9)
  const zero = `${(down / span) * 100}%`
  return (
    <div data-testid="shap-bars">
      <p className="mb-2 text-xs text-slate-400" data-testid="shap-unit">
        Each bar: the feature’s contribution to the score, in log-odds;{' '}
        <span className="text-rose-300">+ pushes towards the positive class</span>, <span className="text-emerald-300">− away from it</span>.
      </p>
      <ul className="space-y-1" aria-label="SHAP contribution per feature">
        {data.map((d) => {
          const up = d.value >= 0
          const fill = up ? SHAP_COLORS.towards : SHAP_COLORS.away
          const has = values && d.feature in values
          const width = `${(Math.abs(d.value) / span) * 100}%`
          const edge = up ? zero : `${100 - (down / span) * 100}%`
          return (
            <li
              key={d.feature}
              data-feature={d.feature}
              className="grid grid-cols-[minmax(0,1.2fr)_minmax(0,1fr)_3.5rem] items-center gap-x-3 border-b border-slate-800/60 py-1 text-[13px] last:border-b-0 sm:grid-cols-[minmax(0,15rem)_minmax(0,1fr)_4rem]"
            >
              <span className="min-w-0 break-words text-slate-200" data-testid="shap-label">
                {d.label}
                {has && <span className="text-slate-400"> = {formatFeatureValue(values[d.feature], specs.spec(d.feature))}</span>}
              </span>
              <span aria-hidden className="relative h-3.5">
                <span className="absolute inset-y-0 w-px bg-slate-600" style={{ left: zero }} />
                <span
                  data-testid="shap-bar"
                  data-fill={fill}
                  className="absolute inset-y-0.5 rounded-sm"
                  style={{ background: fill, width, [up ? 'left' : 'right']: edge }}
                />
              </span>
              <span className={`text-right tabular-nums ${up ? 'text-rose-300' : 'text-emerald-300'}`}>{formatSigned(d.value, 3)}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
