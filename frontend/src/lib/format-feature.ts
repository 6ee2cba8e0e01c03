/**
 * A feature's label, bins and values in its own terms, from its schema entry: "Distance from home
 * (km)", "$22–$30", "Tue", "3.1%". The plain figures (counts, rates, times) are format.ts's.
 */
import { DASH, formatBinLabel, humanize, integer } from './format'

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

/** A model's score (`score`, or the built-in model's `fraud_probability` in drift results) as a feature to format: a probability in [0, 1]. */
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
