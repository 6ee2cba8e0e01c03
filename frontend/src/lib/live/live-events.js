/** Applies live-channel messages to the query cache: the WS half of the one data layer. */
import { keys } from '../queries'
import { appendPoint, seriesPoint } from '../series'

/** What a finished monitoring cycle changes. */
const DRIFT_KEYS = [keys.drift, keys.driftSummary, keys.driftHistoryAll, keys.performance]

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
      for (const key of DRIFT_KEYS) {
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
  const missed = [keys.statsHistory, ...DRIFT_KEYS, keys.alertsAll, keys.simulator]
  for (const key of missed) {
    client.invalidateQueries({ queryKey: key })
  }
}
