import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ApiError } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { ModelRow, RowExplanation, ScoredRow } from '../../../types/api'

/** A model's last score, kept while the user visits other views. */
export interface RowScore {
  model: string
  score: ScoredRow
  /** TreeSHAP contributions (XGBoost models), or null with the API's reason in `unexplained` (e.g. an ONNX model). */
  explanation: RowExplanation | null
  unexplained: string | null
}

/**
 * Score one row with `model` and explain it, in parallel (POST /models/{name}/predict and /explain).
 * A model the API cannot explain (a 422: ONNX has no TreeSHAP) is still scored, with the API's
 * reason kept; any other failure fails the whole (a 401 asks for a key).
 */
async function scoreRow(model: string, row: ModelRow): Promise<RowScore> {
  const path = { name: model }
  const [score, explained] = await Promise.all([
    api.post('/models/{name}/predict', { path, body: row }),
    api.post('/models/{name}/explain', { path, body: row }).then(
      (explanation) => ({ explanation, unexplained: null }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 422) return { explanation: null, unexplained: error.errors[0]?.message ?? error.message }
        throw error
      },
    ),
  ])
  return { model, score, ...explained }
}

export function useScoreRow(model: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (row: ModelRow) => scoreRow(model, row),
    onSuccess: (result) => client.setQueryData<RowScore>(keys.lastScore(model), result),
  })
}

export const useLastRowScore = (model: string) =>
  useQuery<RowScore | null>({ queryKey: keys.lastScore(model), queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })
