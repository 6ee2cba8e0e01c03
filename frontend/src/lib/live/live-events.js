/** Applies live-channel messages to the query cache: the WS half of the one data layer. */
import { keys } from '../queries'
import { appendPoint, seriesPoint } from '../series'

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
  const missed = [keys.statsHistory, keys.drift, keys.driftSummary, ['drift-history'], keys.performance, keys.alertsAll, keys.simulator]
  for (const key of missed) {
    client.invalidateQueries({ queryKey: key })
  }
}
