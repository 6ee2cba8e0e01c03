import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

export const getDrift = (model: string, signal?: AbortSignal) => api.get('/models/{name}/drift', { path: { name: model }, signal })

/** The latest monitoring cycle's drift of `model`, feature by feature; a live `drift` message reads it again. */
export const useDrift = (model: string) => useQuery({ queryKey: keys.drift(model), queryFn: ({ signal }) => getDrift(model, signal) })
