/** The traffic series the latency and throughput charts draw: one point per stats figure. */

/** How many points the client keeps (10 minutes of live points, one a second). */
const SERIES_POINTS = 600

/** The recent past loaded over REST when the dashboard opens: 10 minutes, a point every 10 s. */
export const HISTORY_PARAMS = { minutes: 10, step_seconds: 10 }

/** One point of the series, from a stats body (live message or history point). */
export function seriesPoint(stats) {
  const minute = stats.last_minute ?? {}
  return {
    t: stats.as_of ? new Date(stats.as_of).getTime() : Date.now(),
    total: stats.total_predictions ?? null,
    perSecond: minute.per_second ?? null,
    p50: minute.latency_ms?.p50 ?? null,
    p95: minute.latency_ms?.p95 ?? null,
    p99: minute.latency_ms?.p99 ?? null,
    fraudRate: minute.fraud_rate ?? null,
  }
}

export function appendPoint(series, point, keep = SERIES_POINTS) {
  const previous = series?.at(-1)
  if (previous && previous.t >= point.t) return series
  const next = [...(series ?? []), point]
  return next.length > keep ? next.slice(next.length - keep) : next
}

/** The history, continued by the live points that are newer than its last point. */
export function mergeSeries(history, live, keep = SERIES_POINTS) {
  const end = history.at(-1)?.t ?? -Infinity
  const merged = [...history, ...(live ?? []).filter((p) => p.t > end)]
  return merged.length > keep ? merged.slice(merged.length - keep) : merged
}

/** History points from the first one with traffic: a fresh stack does not open on minutes of nothing. */
export function historyPoints(body) {
  const points = (body?.points ?? []).map(seriesPoint)
  const first = points.findIndex((p) => p.perSecond > 0)
  return first < 0 ? [] : points.slice(first)
}
