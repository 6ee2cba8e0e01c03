import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

/** How many of a model's newest events the charts' marks read. */
export const EVENT_LIMIT = 200

export const getModelEvents = (model: string, signal?: AbortSignal) =>
  api.get('/models/{name}/events', { path: { name: model }, query: { limit: EVENT_LIMIT }, signal })

/**
 * The recent events of `model`, newest first: promotions, rollbacks, challengers, retrains, gate
 * decisions, traffic switches and incidents. The live channel's `models` and `incidents` messages
 * read them again.
 */
export const useModelEvents = (model: string) =>
  useQuery({ queryKey: keys.events(model), queryFn: ({ signal }) => getModelEvents(model, signal) })
