import { useQuery } from '@tanstack/react-query'
import { api } from '../api-client'
import { keys } from '../query-keys'
import { useDefaultModel } from '../use-selected-model'

export const getSimulator = (signal?: AbortSignal) => api.get('/simulator', { signal })

/** The traffic simulator's scenario, rate and catalogue; the live channel's `simulator` message replaces it. */
export const useSimulator = () => useQuery({ queryKey: keys.simulator, queryFn: ({ signal }) => getSimulator(signal) })

/**
 * The model whose traffic the simulator makes: it posts to the unscoped /predict, which the default
 * model answers (its scenario switches are on the default model's timeline too).
 */
export const useSimulatedModel = (): string | null => useDefaultModel()
