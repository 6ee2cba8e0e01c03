import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'

export const getSimulator = (signal?: AbortSignal) => api.get('/simulator', { signal })

/** The traffic simulator's scenario, rate and catalogue; the live channel's `simulator` message replaces it. */
export const useSimulator = () => useQuery({ queryKey: keys.simulator, queryFn: ({ signal }) => getSimulator(signal) })

/** The model whose traffic the simulator makes (its scenario switches are on that model's timeline). */
export const useSimulatedModel = (): string | null => useSimulator().data?.model ?? null
