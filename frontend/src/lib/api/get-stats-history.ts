import type { StatsHistory } from '../../types/api'
import { api } from '../api-client'
import { HISTORY_PARAMS } from '../series'

/**
 * The last minutes of `model`'s traffic figures, or null when the API keeps none for it:
 * GET /stats/history holds the default model's figures only, so another model's charts start
 * from its live points.
 */
export function getStatsHistory(model: string, defaultModel: string | null, signal?: AbortSignal): Promise<StatsHistory | null> {
  // until /models/{name}/stats/history lands (issue 23)
  if (model !== defaultModel) return Promise.resolve(null)
  return api.get('/stats/history', { query: HISTORY_PARAMS, signal })
}
