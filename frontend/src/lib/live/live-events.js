/** Applies live-channel messages to the query cache: the WS half of the one data layer. */
import { keys, SERIES_SECONDS } from '../queries'

/** One point of the client-side traffic series, from a stats message. */
export function seriesPoint(stats) {
  const minute = stats.last_minute ?? {}
  return {
    t: stats.as_of ? new Date(stats.as_of).getTime() : Date.now(),
    total: stats.total_predictions,
    perSecond: minute.per_second ?? null,
    p50: minute.latency_ms?.p50 ?? null,
    p95: minute.latency_ms?.p95 ?? null,
    p99: minute.latency_ms?.p99 ?? null,
    fraudRate: minute.fraud_rate ?? null,
  }
}

export function appendPoint(series, point, keep = SERIES_SECONDS) {
  const previous = series?.at(-1)
  if (previous && previous.t === point.t) return series
  const next = [...(series ?? []), point]
  return next.length > keep ? next.slice(next.length - keep) : next
}

export function applyLiveEvent(client, message) {
  const { type, data } = message ?? {}
  switch (type) {
    case 'stats': {
      client.setQueryData(keys.stats, data)
      client.setQueryData(keys.statsSeries, (series) => appendPoint(series, seriesPoint(data)))
      const served = client.getQueryData(keys.model)?.version
      if (served && data.model_version && served !== data.model_version) client.invalidateQueries({ queryKey: keys.model })
      return true
    }
    case 'drift':
      for (const key of [keys.drift, keys.driftSummary, ['drift-history'], keys.performance]) {
        client.invalidateQueries({ queryKey: key })
      }
      return true
    case 'alerts':
      client.invalidateQueries({ queryKey: keys.alertsAll })
      return true
    case 'simulator':
      client.setQueryData(keys.simulator, data)
      return true
    default:
      return false
  }
}

/** After a reconnect events may have been missed: refetch everything the channel feeds. */
export function refreshAfterReconnect(client) {
  for (const key of [keys.drift, keys.driftSummary, ['drift-history'], keys.performance, keys.alertsAll, keys.simulator]) {
    client.invalidateQueries({ queryKey: key })
  }
}
