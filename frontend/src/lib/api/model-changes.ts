import { useQuery, type QueryClient } from '@tanstack/react-query'
import type { ModelChange } from '../../types/api'
import { keys } from '../query-keys'

/**
 * What a model change may have touched: the registry (every model and its versions), the timelines,
 * comparisons and retrains of every model, and the served versions.
 */
export function refreshModelChanges(client: QueryClient) {
  for (const key of [keys.models, keys.everyModelsEvents, keys.everyModelsComparisons, keys.everyModelsRetrainJobs, keys.everyModelsServedVersions]) {
    client.invalidateQueries({ queryKey: key })
  }
}

/** The newest model change the live channel announced in this session (a promotion, a retrain, …), null before one. */
export const useLastModelChange = () =>
  useQuery<ModelChange | null>({ queryKey: keys.modelChange, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })
