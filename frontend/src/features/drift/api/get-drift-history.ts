import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

export const getDriftHistory = (model: string, feature: string, signal?: AbortSignal) =>
  api.get('/models/{name}/drift/history', { path: { name: model }, query: { feature }, signal })

/** One feature's PSI and test statistic of `model` over the recent cycles; nothing asked without a feature. */
export const useDriftHistory = (model: string, feature: string | undefined) =>
  useQuery({
    queryKey: keys.driftHistoryOf(model, feature),
    queryFn: ({ signal }) => getDriftHistory(model, feature ?? '', signal),
    enabled: Boolean(feature),
  })
