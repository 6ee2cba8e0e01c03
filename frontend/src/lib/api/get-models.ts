import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

export const getModels = (signal?: AbortSignal) => api.get('/models', { signal })

/**
 * Every registered model with its newest version and champion, the default one first. Nothing
 * announces a registration made elsewhere (the CLI, another browser), so `refresh` reads the list
 * again whenever the caller mounts (the Models view), which also updates the header.
 */
export const useModels = ({ refresh = false }: { refresh?: boolean } = {}) =>
  useQuery({ queryKey: keys.models, queryFn: ({ signal }) => getModels(signal), refetchOnMount: refresh ? 'always' : true })
