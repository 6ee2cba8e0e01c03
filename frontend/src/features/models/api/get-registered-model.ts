import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { ModelVersion, RegisteredModel } from '../../../types/api'

export const getRegisteredModel = (model: string, signal?: AbortSignal) => api.get('/models/{name}', { path: { name: model }, signal })

/** One registered model with every version, its stages and its champion (the one served). */
export const useRegisteredModel = (model: string) =>
  useQuery({ queryKey: keys.registeredModel(model), queryFn: ({ signal }) => getRegisteredModel(model, signal) })

/**
 * The version of a model that answers: its champion. A newer version (`latest`) may be a candidate
 * or a challenger; a model listed without a champion answers with its newest.
 */
export const answeringVersion = (model: Pick<RegisteredModel, 'champion' | 'latest'>): ModelVersion | null => model.champion ?? model.latest
