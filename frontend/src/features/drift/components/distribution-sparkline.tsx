import type { Histogram } from '../../../types/api'

const WIDTH = 64
const HEIGHT = 20

/**
 * A feature's reference (grey) and current (blue) shares per bin as a tiny paired-bar chart, the
 * same colours as the detail's histogram: a glance at how the distribution moved.
 */
export function DistributionSparkline({ histogram, label }: { histogram: Histogram | undefined; label: string }) {
  const bins = histogram?.bins ?? []
  if (!histogram || bins.length === 0) return <span className="text-xs text-slate-600">—</span>
  const top = Math.max(...histogram.reference, ...histogram.current, 1e-9)
  const slot = WIDTH / bins.length
  const bar = Math.max(1, (slot - 1) / 2)
  const height = (share: number | undefined) => Math.max(share ? 1 : 0, ((share ?? 0) / top) * HEIGHT)
  return (
    <svg
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`${label}: reference and current distributions`}
      data-testid="distribution-sparkline"
      className="block"
    >
      {bins.map((bin, i) => (
        <g key={bin}>
          <rect x={i * slot} y={HEIGHT - height(histogram.reference[i])} width={bar} height={height(histogram.reference[i])} fill="#64748b" />
          <rect x={i * slot + bar} y={HEIGHT - height(histogram.current[i])} width={bar} height={height(histogram.current[i])} fill="#38bdf8" />
        </g>
      ))}
    </svg>
  )
}
