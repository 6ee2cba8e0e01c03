import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

export const getServedVersion = (model: string, signal?: AbortSignal) => api.get('/models/{name}/model', { path: { name: model }, signal })

/**
 * The version `model` answers with now: its format, threshold, reference metrics and inputs. The
 * live channel reads it again when its stats name another version.
 */
export const useServedVersion = (model: string) =>
  useQuery({ queryKey: keys.servedVersion(model), queryFn: ({ signal }) => getServedVersion(model, signal) })
