import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

export const getDriftSummary = (model: string, signal?: AbortSignal) =>
  api.get('/models/{name}/drift/summary', { path: { name: model }, signal })

/** The latest cycle's dataset drift of `model`; `refresh` reads it again whenever the caller mounts. */
export const useDriftSummary = (model: string, { refresh = false }: { refresh?: boolean } = {}) =>
  useQuery({ queryKey: keys.driftSummary(model), queryFn: ({ signal }) => getDriftSummary(model, signal), refetchOnMount: refresh ? 'always' : true })
