/**
 * Applies live-channel messages to the query cache: the WS half of the one data layer.
 * `degraded` / `recovered` say whether the backend has lost its database (stats stop meanwhile);
 * `models` says a model changed (a stage, a retrain, a gate decision).
 */
import type { QueryClient } from '@tanstack/react-query'
import type { LiveMessage, ModelInfo } from '../../types/api'
import { isScopedKey, keys, refreshModelChanges, type Degraded } from '../queries'
import { appendPoint, seriesPoint, type SeriesPoint } from '../series'

/**
 * What a finished monitoring cycle changes (a model with a challenger gets a comparison point too;
 * an open incident's features get their current PSI).
 */
const DRIFT_KEYS = [keys.drift, keys.driftSummary, keys.driftHistoryAll, keys.performance, keys.comparisonAll, keys.incidentsAll]

/**
 * Apply one parsed message (a LiveMessage of the OpenAPI document, as the server sends it);
 * false for a type this dashboard does not know.
 */
export function applyLiveEvent(client: QueryClient, message: unknown): boolean {
  const event = (message ?? {}) as LiveMessage
  switch (event.type) {
    case 'stats': {
      const { data } = event
      if (client.getQueryData<Degraded | null>(keys.degraded)?.unconfirmed) client.setQueryData(keys.degraded, null)
      client.setQueryData(keys.stats, data)
      client.setQueryData<SeriesPoint[]>(keys.statsSeries, (series) => appendPoint(series, seriesPoint(data)))
      const served = client.getQueryData<ModelInfo>(keys.model)?.version
      if (served && data.model_version && served !== data.model_version) client.invalidateQueries({ queryKey: keys.model })
      return true
    }
    case 'drift':
      for (const key of DRIFT_KEYS) {
        client.invalidateQueries({ queryKey: key })
      }
      // Other models' traffic figures have no live feed: the cycle (it judges every model) refreshes them.
      client.invalidateQueries({ queryKey: keys.stats, predicate: (query) => isScopedKey(query.queryKey) })
      return true
    case 'alerts':
    case 'incidents':
      refreshIncidents(client) // an alert changed, so did its incident (and the other way round)
      return true
    case 'models':
      refreshModelChanges(client)
      client.setQueryData(keys.modelChange, event.data) // what the app's notice says
      return true
    case 'simulator':
      client.setQueryData(keys.simulator, event.data)
      return true
    case 'degraded':
      client.setQueryData<Degraded>(keys.degraded, { since: event.data?.since ?? null, reason: event.data?.reason ?? null })
      return true
    case 'recovered':
      client.setQueryData(keys.degraded, null)
      refetchMissed(client) // events missed while the database was away
      return true
    default:
      return false
  }
}

/** Alerts and the incidents that group them change together, and the timeline with them. */
function refreshIncidents(client: QueryClient) {
  client.invalidateQueries({ queryKey: keys.alertsAll })
  client.invalidateQueries({ queryKey: keys.incidentsAll })
  client.invalidateQueries({ queryKey: keys.events }) // an incident's detection or resolution is a mark on the charts
}

function refetchMissed(client: QueryClient) {
  for (const key of [keys.statsHistory, ...DRIFT_KEYS, keys.alertsAll, keys.simulator]) {
    client.invalidateQueries({ queryKey: key })
  }
  refreshModelChanges(client)
}

/**
 * After a reconnect events may have been missed: refetch everything the channel feeds.
 * A degraded backend is no longer taken for granted: the server sends `degraded` again at
 * once if it still is, and the first fresh stats clear it otherwise.
 */
export function refreshAfterReconnect(client: QueryClient) {
  client.setQueryData<Degraded | null>(keys.degraded, (degraded) => (degraded ? { ...degraded, unconfirmed: true } : degraded))
  refetchMissed(client)
}
