import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

export const getPerformance = (model: string, signal?: AbortSignal) => api.get('/models/{name}/performance', { path: { name: model }, signal })

/** `model`'s realized and estimated quality, latest and over time; a live `drift` message reads it again. */
export const usePerformance = (model: string) =>
  useQuery({ queryKey: keys.performance(model), queryFn: ({ signal }) => getPerformance(model, signal) })
