/**
 * Applies live-channel messages to the query cache: the WS half of the one data layer. A channel
 * is opened for one model (`/ws/live?model=<name>`): its `stats`, `drift`, `alerts` and `incidents`
 * are that model's and go into that model's keys only; `simulator`, `models`, `degraded` and
 * `recovered` are everyone's. `degraded` / `recovered` say whether the backend has lost its
 * database (stats stop meanwhile); `models` says a model changed (a stage, a retrain, a gate decision).
 */
import type { QueryClient } from '@tanstack/react-query'
import type { LiveMessage, ServedVersion } from '../../types/api'
import { refreshModelChanges } from '../api/model-changes'
import { keys, liveKeys } from '../query-keys'
import { appendPoint, seriesPoint, type SeriesPoint } from '../series'
import type { Degraded } from './degraded'

/**
 * What a finished monitoring cycle of `model` changes (a model with a challenger gets a comparison
 * point too; an open incident's features get their current PSI).
 */
const cycleKeys = (model: string) => [
  keys.drift(model),
  keys.driftSummary(model),
  keys.driftHistory(model),
  keys.performance(model),
  keys.comparison(model),
  keys.incidents(model),
]

/**
 * Apply one parsed message (a LiveMessage of the OpenAPI document, as the server sends it) of the
 * channel opened for `model` (null: a channel for no model yet, whose model's messages are
 * dropped); false for a type this dashboard does not know.
 */
export function applyLiveEvent(client: QueryClient, message: unknown, model: string | null): boolean {
  const event = (message ?? {}) as LiveMessage
  switch (event.type) {
    case 'stats': {
      const { data } = event
      if (client.getQueryData<Degraded | null>(keys.degraded)?.unconfirmed) client.setQueryData(keys.degraded, null)
      if (model === null) return true
      client.setQueryData(keys.stats(model), data)
      client.setQueryData<SeriesPoint[]>(keys.statsSeries(model), (series) => appendPoint(series, seriesPoint(data)))
      const served = client.getQueryData<ServedVersion>(keys.servedVersion(model))?.version
      if (served && data.model_version && served !== data.model_version) client.invalidateQueries({ queryKey: keys.servedVersion(model) })
      return true
    }
    case 'drift':
      if (model !== null) for (const key of cycleKeys(model)) client.invalidateQueries({ queryKey: key })
      return true
    case 'alerts':
    case 'incidents':
      if (model !== null) refreshIncidents(client, model) // an alert changed, so did its incident (and the other way round)
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
      refetchMissed(client, model)
      return true
    default:
      return false
  }
}

/** A model's alerts and the incidents that group them change together, and its timeline with them. */
function refreshIncidents(client: QueryClient, model: string) {
  client.invalidateQueries({ queryKey: keys.alerts(model) })
  client.invalidateQueries({ queryKey: keys.incidents(model) })
  client.invalidateQueries({ queryKey: keys.events(model) }) // an incident's detection or resolution is a mark on the charts
}

function refetchMissed(client: QueryClient, model: string | null) {
  const missed = model === null ? [] : [keys.statsHistory(model), ...cycleKeys(model), keys.alerts(model)]
  for (const key of [...missed, keys.simulator]) client.invalidateQueries({ queryKey: key })
  refreshModelChanges(client)
}

/**
 * After a reconnect events may have been missed: refetch everything the channel feeds.
 * A degraded backend is no longer taken for granted: the server sends `degraded` again at
 * once if it still is, and the first fresh stats clear it otherwise.
 */
export function refreshAfterReconnect(client: QueryClient, model: string | null) {
  client.setQueryData<Degraded | null>(keys.degraded, (degraded) => (degraded ? { ...degraded, unconfirmed: true } : degraded))
  refetchMissed(client, model)
}

/**
 * The channel leaves `model` for another one: its live series goes (a return starts it again from
 * the history), and what the channel kept fresh is marked stale, to be read again on a return.
 */
export function leaveModel(client: QueryClient, model: string) {
  client.removeQueries({ queryKey: keys.statsSeries(model) })
  client.removeQueries({ queryKey: keys.statsHistory(model) })
  for (const key of liveKeys(model)) client.invalidateQueries({ queryKey: key, refetchType: 'none' })
}

/**
 * A connection opened: the API answers again, so what failed while it did not (the model list,
 * a view's reads) is read again.
 */
export function refreshFailedReads(client: QueryClient) {
  client.invalidateQueries({ predicate: (query) => query.state.status === 'error' })
}
