import type { StatsHistory } from '../../types/api'
import { api } from '../api-client'
import { HISTORY_PARAMS } from '../series'

/** The last minutes of `model`'s traffic figures, as GET /stats said them every 10 s. */
export const getStatsHistory = (model: string, signal?: AbortSignal): Promise<StatsHistory> =>
  api.get('/models/{name}/stats/history', { path: { name: model }, query: HISTORY_PARAMS, signal })
