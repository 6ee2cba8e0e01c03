/** The traffic series the latency and throughput charts draw: one point per stats figure. */
import type { Stats, StatsHistory } from '../types/api'

/** How many points the client keeps (10 minutes of live points, one a second). */
const SERIES_POINTS = 600

/** The recent past loaded over REST when the dashboard opens: 10 minutes, a point every 10 s. */
export const HISTORY_PARAMS = { minutes: 10, step_seconds: 10 }

export interface SeriesPoint {
  t: number
  total: number | null
  perSecond: number | null
  p50: number | null
  p95: number | null
  p99: number | null
  positiveRate: number | null
}

/** A stats body (live message) or a history point, which carries the last-minute figures only. */
type StatsLike = Pick<Stats, 'last_minute'> & Partial<Pick<Stats, 'as_of' | 'total_predictions'>>

/** One point of the series, from a stats body (live message or history point). */
export function seriesPoint(stats: StatsLike): SeriesPoint {
  const minute: Partial<Stats['last_minute']> = stats.last_minute ?? {}
  return {
    t: stats.as_of ? new Date(stats.as_of).getTime() : Date.now(),
    total: stats.total_predictions ?? null,
    perSecond: minute.per_second ?? null,
    p50: minute.latency_ms?.p50 ?? null,
    p95: minute.latency_ms?.p95 ?? null,
    p99: minute.latency_ms?.p99 ?? null,
    positiveRate: minute.positive_rate ?? null,
  }
}

export function appendPoint<T extends { t: number }>(series: T[] | undefined, point: T, keep = SERIES_POINTS): T[] {
  const previous = series?.at(-1)
  if (previous && previous.t >= point.t) return series ?? []
  const next = [...(series ?? []), point]
  return next.length > keep ? next.slice(next.length - keep) : next
}

/** The history, continued by the live points that are newer than its last point. */
export function mergeSeries<T extends { t: number }>(history: T[], live: T[] | undefined, keep = SERIES_POINTS): T[] {
  const end = history.at(-1)?.t ?? -Infinity
  const merged = [...history, ...(live ?? []).filter((p) => p.t > end)]
  return merged.length > keep ? merged.slice(merged.length - keep) : merged
}

/** History points from the first one with traffic: a fresh stack does not open on minutes of nothing. */
export function historyPoints(body: Pick<StatsHistory, 'points'> | null | undefined): SeriesPoint[] {
  const points = (body?.points ?? []).map(seriesPoint)
  const first = points.findIndex((p) => (p.perSecond ?? 0) > 0)
  return first < 0 ? [] : points.slice(first)
}
