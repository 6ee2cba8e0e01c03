/** Numbers, shares, durations and times formatted for people (Intl, en-US). */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const decimal = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const percent = (digits: number) =>
  new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits })
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })

type Figure = number | null | undefined

const missing = (value: Figure): value is null | undefined => value === null || value === undefined || Number.isNaN(value)
const DASH = '—'

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

/** A feature's label from its schema entry: "distance_from_home_km" with unit km → "Distance from home (km)". */
export function featureLabel(feature: { name: string; unit?: string | null }): string {
  if (!feature.unit) return humanize(feature.name)
  const name = feature.name.endsWith(`_${feature.unit}`) ? feature.name.slice(0, -feature.unit.length - 1) : feature.name
  return `${humanize(name)} (${feature.unit})`
}

/**
 * What a bin label or a value needs to know of its feature: the model schema's entry (GET /models/{name}/model's
 * `feature_schema`), or the score's stand-in (`scoreSpec`). Missing fields read as a plain number.
 */
export interface FeatureFormat {
  name: string
  kind?: 'numeric' | 'categorical' | 'boolean'
  dtype?: 'float' | 'int' | 'str' | 'bool'
  unit?: string | null
  minimum?: number | null
  maximum?: number | null
  description?: string
}

/** The unit of the model's score: a probability, read as a percentage. */
export const PROBABILITY_UNIT = 'probability'

/** The model's score (fraud_probability, or a registered model's score) as a feature to format: a probability in [0, 1]. */
export const scoreSpec = (name: string): FeatureFormat => ({ name, kind: 'numeric', dtype: 'float', unit: PROBABILITY_UNIT, minimum: 0, maximum: 1 })

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const CURRENCY = /^[A-Z]{3}$/
const sig3 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 })
const pct2 = new Intl.NumberFormat('en-US', { style: 'percent', maximumSignificantDigits: 2 })

type Scale = 'money' | 'hour' | 'weekday' | 'percent' | 'int' | 'float'

/** How a feature's numbers read: money (a currency unit), clock hours, weekdays (0 = Monday), a percentage (the score), integers or decimals. */
function scaleOf(feature: FeatureFormat | null | undefined): Scale {
  if (!feature) return 'float'
  const { name, unit, dtype, description = '' } = feature
  if (unit && CURRENCY.test(unit)) return 'money'
  if (unit === PROBABILITY_UNIT) return 'percent'
  if (name === 'hour_of_day' || (unit === 'h' && dtype === 'int' && feature.maximum === 23)) return 'hour'
  if (name === 'day_of_week' || /0\s*=\s*Monday/i.test(description)) return 'weekday'
  return dtype === 'int' ? 'int' : 'float'
}

const moneyOf = (value: number, currency: string) =>
  new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    maximumFractionDigits: Math.abs(value) >= 10 ? 0 : 2,
    minimumFractionDigits: Math.abs(value) >= 10 || Number.isInteger(value) ? 0 : 2,
  }).format(value)

const hh = (hour: number) => String(hour).padStart(2, '0')

/** One number of a feature's scale, as a bin edge or a value: "$1,240", "0.2%", "1,450", "1.41". */
function formatOn(scale: Scale, value: number, unit: string | null | undefined): string {
  switch (scale) {
    case 'money':
      return moneyOf(value, unit ?? 'USD')
    case 'percent':
      return pct2.format(value)
    case 'int':
    case 'hour':
    case 'weekday':
      return integer.format(value)
    default:
      return sig3.format(value)
  }
}

const NUMBER = String.raw`(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)`
const BELOW = new RegExp(`^<\\s*${NUMBER}$`)
const FROM = new RegExp(`^≥\\s*${NUMBER}$`)
const BETWEEN = new RegExp(`^${NUMBER}\\s*–\\s*${NUMBER}$`)

/** A numeric bin label of the worker ("< 8", "8 – 10", "≥ 19": half-open [a, b)) as its two edges; null if it is not one. */
function binEdges(label: string): [number, number] | null {
  const text = label.trim()
  let m = BELOW.exec(text)
  if (m) return [-Infinity, Number(m[1])]
  m = FROM.exec(text)
  if (m) return [Number(m[1]), Infinity]
  m = BETWEEN.exec(text)
  return m ? [Number(m[1]), Number(m[2])] : null
}

/** The whole numbers a half-open bin [lo, hi) holds within the schema's bounds: [first, last], null for an unbounded side. */
function wholeRange(lo: number, hi: number, feature: FeatureFormat, bounded: boolean): [number | null, number | null] {
  const min = feature.minimum ?? null
  const max = bounded ? (feature.maximum ?? null) : null // "≥ 2,949" reads better than "2,949–36,500"; a clock or a week ends
  let first: number | null = Number.isFinite(lo) ? Math.ceil(lo) : null
  let last: number | null = Number.isFinite(hi) ? Math.ceil(hi) - 1 : null
  if (min !== null) first = first === null ? Math.ceil(min) : Math.max(first, Math.ceil(min))
  if (max !== null) last = last === null ? Math.floor(max) : Math.min(last, Math.floor(max))
  return [first, last]
}

/**
 * A histogram bin's label for people, by its feature's unit and kind: "$22–$30" (amount),
 * "00–08" (hour of day: from 00:00 to 08:00), "Mon" or "Mon–Wed" (day of week, 0 = Monday),
 * "310–508" (an integer feature's whole values in the bin), "0.12%–0.16%" (the score), "Gas
 * station" (a category), "Yes"/"No" (a boolean). Null when the schema's bounds leave the bin no
 * possible value (an integer feature's "< 0" with minimum 0): a chart may leave it out.
 */
export function formatBin(label: unknown, feature?: FeatureFormat | null): string | null {
  const text = String(label)
  if (feature?.kind === 'boolean') return text === 'true' ? 'Yes' : text === 'false' ? 'No' : humanize(text.replace(/[()]/g, ''))
  if (feature?.kind === 'categorical') return humanize(text.replace(/[()]/g, ''))
  const edges = binEdges(text)
  if (!edges || !feature) return feature ? text : formatBinLabel(text)
  const [lo, hi] = edges
  const scale = scaleOf(feature)
  if (scale === 'int' || scale === 'hour' || scale === 'weekday') {
    const [first, last] = wholeRange(lo, hi, feature, scale !== 'int')
    if (first !== null && last !== null && first > last) return null
    if (scale === 'hour') {
      // A clock interval: the bin runs from the start of its first hour to the end of its last.
      if (first !== null && last !== null) return `${hh(first)}–${hh(last + 1)}`
      return first === null ? `before ${hh((last ?? 0) + 1)}` : `from ${hh(first)}`
    }
    const show = (v: number) => (scale === 'weekday' ? (WEEKDAYS[v]?.slice(0, 3) ?? integer.format(v)) : integer.format(v))
    if (first !== null && last !== null) return first === last ? show(first) : `${show(first)}–${show(last)}`
    return first === null ? `≤ ${show(last ?? 0)}` : `≥ ${show(first)}`
  }
  const show = (v: number) => formatOn(scale, v, feature.unit)
  if (!Number.isFinite(lo)) return `< ${show(hi)}`
  if (!Number.isFinite(hi)) return `≥ ${show(lo)}`
  return `${show(lo)}–${show(hi)}`
}

/**
 * One input value of a feature for people: "$1,240", "03:00", "Wednesday", "Yes", "Online retail",
 * "4,200", "1.41". Missing values read "—".
 */
export function formatFeatureValue(value: unknown, feature?: FeatureFormat | null): string {
  if (value === null || value === undefined || value === '') return DASH
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'string' && (feature?.kind === 'categorical' || Number.isNaN(Number(value)))) return humanize(value)
  const number = Number(value)
  if (Number.isNaN(number)) return String(value)
  const scale = scaleOf(feature)
  if (scale === 'hour') return `${hh(Math.trunc(number))}:00`
  if (scale === 'weekday') return WEEKDAYS[Math.trunc(number)] ?? integer.format(number)
  if (scale === 'money') {
    const cents = !Number.isInteger(number) && Math.abs(number) < 1000
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: feature?.unit ?? 'USD', minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0 }).format(number)
  }
  if (scale === 'percent') return pct2.format(number)
  return Number.isInteger(number) ? integer.format(number) : sig3.format(number)
}

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
