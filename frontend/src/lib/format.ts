/** Numbers, shares, durations and times formatted for people (Intl, en-US). */

export const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const decimal = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const percent = (digits: number) =>
  new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits })
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

type Figure = number | null | undefined

const missing = (value: Figure): value is null | undefined => value === null || value === undefined || Number.isNaN(value)
export const DASH = '—'

export const formatInt = (value: Figure) => (missing(value) ? DASH : integer.format(value))
export const formatNumber = (value: Figure, digits = 2) => (missing(value) ? DASH : decimal(digits).format(value))
export const formatPercent = (value: Figure, digits = 1) => (missing(value) ? DASH : percent(digits).format(value))
export const formatMoney = (value: Figure) => (missing(value) ? DASH : money.format(value))
/** A difference with its sign: "+0.012", "−0.004" (a true minus), "0.000". */
export const formatSigned = (value: Figure, digits = 3) =>
  missing(value)
    ? DASH
    : new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(value).replace('-', '−')
export const formatMs = (value: Figure) => (missing(value) ? DASH : `${decimal(value < 10 ? 1 : 0).format(value)} ms`)
export const formatRate = (value: Figure) => (missing(value) ? DASH : `${decimal(1).format(value)}/s`)

/** A p-value: scientific below 0.001, so a tiny one never reads as zero. */
/** A p-value: three decimals, then one significant digit, and beyond 1e-10 only "< 1e-10" (a smaller
 * one says nothing more: the drift is certain). */
export function formatPValue(value: Figure): string {
  if (missing(value)) return DASH
  if (value < 1e-10) return '< 1e-10'
  return value < 0.001 ? value.toExponential(1) : decimal(3).format(value)
}

export function formatClock(iso: string | number | null | undefined): string {
  if (!iso) return DASH
  return clock.format(new Date(iso))
}

export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return DASH
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 60) return relative.format(seconds, 'second')
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), 'hour')
  return relative.format(Math.round(seconds / 86400), 'day')
}

export function formatDuration(seconds: Figure): string {
  if (missing(seconds)) return DASH
  if (seconds < 60) return `${Math.round(seconds)} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`
}

const significant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 })

/** A bin label such as "0.001197 – 0.002486" with its numbers cut to 3 significant digits. */
export const formatBinLabel = (label: unknown) =>
  String(label).replace(/-?\d+\.\d+(?:e-?\d+)?/g, (n) => significant.format(Number(n)))

/**
 * A version in a few characters, for a chart's label: "20261201-191003-e3915b7d" → "v…7d" would
 * be too short to tell versions apart, the whole too long, so its last four: "v…5b7d".
 */
export const shortVersion = (version: string | null | undefined) => {
  if (!version) return DASH
  return version.length > 8 ? `v…${version.slice(-4)}` : version
}

/** snake_case feature name → "Snake case" label. */
export const humanize = (name: string | null | undefined) => (name ? name.charAt(0).toUpperCase() + name.slice(1).replaceAll('_', ' ') : '')

/**
 * Round, evenly spaced ticks from 0 to at least `max` (about `count` steps of 1, 2, 2.5 or 5 × 10ⁿ):
 * niceTicks(0.14) = [0, 0.05, 0.1, 0.15], never 0.04, 0.07, 0.11.
 */
export function niceTicks(max: number, count = 4): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1]
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw * 0.999) ?? 10) * power
  const steps = Math.ceil(max / step - 1e-9)
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)))
}

/** The decimals a tick needs for its step to show: 0.25 → 2, 0.1 → 1, 5 → 0. */
export function stepDigits(ticks: number[]): number {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1
  for (let digits = 0; digits < 8; digits += 1) if (Math.abs(Math.round(step * 10 ** digits) - step * 10 ** digits) < 1e-6) return digits
  return 8
}
