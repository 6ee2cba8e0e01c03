import { SeverityBadge } from '../../../components/ui/badge'
import { formatInt, formatNumber, formatPValue } from '../../../lib/format'
import type { FeatureDrift } from '../../../types/api'
import { formatStatistic, TEST_LABELS } from '../drift-constants'
import { DistributionSparkline } from './distribution-sparkline'

/** Per-feature test results; each row selects its feature (keyboard: Tab + Enter). */
interface FeatureTableProps {
  features: FeatureDrift[]
  selected: string | undefined
  onSelect: (feature: string) => void
  /** A feature's label from the model schema. */
  label: (feature: string) => string
}

export function FeatureTable({ features, selected, onSelect, label }: FeatureTableProps) {
  return (
    <div className="-mx-4 overflow-x-auto px-4" data-testid="feature-table-scroll">
      <table className="w-full whitespace-nowrap text-[13px]">
        <thead>
          <tr className="border-b border-slate-800 text-left text-xs uppercase tracking-wider text-slate-400">
            <th className="py-2 pr-1.5 font-medium">Feature</th>
            <th className="px-1.5 py-2 font-medium">
              <span className="sr-only">Distribution: reference vs current</span>
              <span aria-hidden>Shape</span>
            </th>
            <th className="px-1.5 py-2 text-right font-medium">PSI</th>
            <th className="px-1.5 py-2 font-medium">Test</th>
            <th className="px-1.5 py-2 text-right font-medium">Statistic</th>
            <th className="px-1.5 py-2 text-right font-medium">p-value</th>
            <th className="py-2 pl-1.5 font-medium">Drift</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr
              key={f.feature}
              data-feature={f.feature}
              data-severity={f.severity}
              data-drifted={f.drifted}
              className={`border-b border-slate-800/60 ${selected === f.feature ? 'bg-sky-500/10' : 'hover:bg-slate-800/40'}`}
            >
              <td className="py-1.5 pr-1.5">
                <button
                  type="button"
                  onClick={() => onSelect(f.feature)}
                  aria-pressed={selected === f.feature}
                  className="text-left font-medium text-slate-100 hover:text-sky-300"
                  title={`n = ${formatInt(f.n_current)} current vs ${formatInt(f.n_reference)} reference`}
                >
                  {label(f.feature)}
                </button>
              </td>
              <td className="px-1.5 py-1.5">
                <DistributionSparkline histogram={f.histogram} label={label(f.feature)} />
              </td>
              <td className="px-1.5 py-1.5 text-right tabular-nums">{formatNumber(f.psi, 3)}</td>
              <td className="px-1.5 py-1.5 text-slate-400">{TEST_LABELS[f.test] ?? f.test}</td>
              <td className="px-1.5 py-1.5 text-right tabular-nums">{formatStatistic(f.statistic)}</td>
              <td className="px-1.5 py-1.5 text-right tabular-nums">{formatPValue(f.p_value)}</td>
              <td className="py-1.5 pl-1.5">
                <SeverityBadge severity={f.severity} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
