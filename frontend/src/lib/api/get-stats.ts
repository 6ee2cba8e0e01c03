import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

export const getStats = (model: string, signal?: AbortSignal) => api.get('/models/{name}/stats', { path: { name: model }, signal })

/**
 * A model's traffic figures; the selected model's are replaced every second by the live channel.
 * `refresh` reads them again whenever the caller mounts (a list of every model, most not live).
 */
export const useStats = (model: string, { refresh = false }: { refresh?: boolean } = {}) =>
  useQuery({ queryKey: keys.stats(model), queryFn: ({ signal }) => getStats(model, signal), refetchOnMount: refresh ? 'always' : true })
