import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

/** Champion against challenger of `model` over the last `minutes`, one point per monitoring cycle (oldest first). */
export const useComparison = (model: string, minutes = 60) =>
  useQuery({
    queryKey: keys.comparisonOver(model, minutes),
    queryFn: ({ signal }) => api.get('/models/{name}/comparison', { path: { name: model }, query: { minutes }, signal }),
  })
