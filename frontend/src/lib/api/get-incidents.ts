import { skipToken, useQuery } from '@tanstack/react-query'
import type { IncidentFilter } from '../../types/api'
import { api } from '../api-client'
import { keys } from '../query-keys'

interface IncidentsQuery {
  status?: IncidentFilter
  limit?: number
}

export const getIncidents = (model: string, { status, limit = 50 }: IncidentsQuery = {}, signal?: AbortSignal) =>
  api.get('/models/{name}/incidents', { path: { name: model }, query: { status, limit }, signal })

/** Incidents of `model`, newest first, optionally of one status or the active ones; nothing asked while `model` is null. */
export function useIncidents(model: string | null, { status, limit = 50 }: IncidentsQuery = {}) {
  return useQuery({
    queryKey: keys.incidentList(model ?? '', status, limit),
    queryFn: model === null ? skipToken : ({ signal }) => getIncidents(model, { status, limit }, signal),
  })
}

/** The current (open and acknowledged) incidents of `model`: one query for the Alerts view, the Overview, the Drift verdict and the nav badge. */
export const useActiveIncidents = (model: string | null) => useIncidents(model, { status: 'active' })
