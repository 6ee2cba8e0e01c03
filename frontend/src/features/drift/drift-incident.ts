/**
 * The drift incident going on now, for the Drift view's verdict: since when the traffic drifted
 * and how long the monitoring took to see it. GET /incidents?status=active&limit=1&model=<name>;
 * an API without incidents (404) or an incident of another cause leaves it null, and the view
 * falls back to the feature's drift history.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import type { components } from '../../api/schema'
import { api, ApiError } from '../../lib/api-client'
import { useSelectedModel } from '../../lib/model-selection'

/** The parts of an incident the verdict reads (the contract's IncidentOut has them all). */
interface IncidentFields {
  id: number
  cause: string
  status: string
  opened_at: string
  started_at: string | null
  detection_s: number | null
}
/** The generated IncidentOut once the contract has it, else the fields above. */
export type DriftIncident = components['schemas'] extends { IncidentOut: infer I extends IncidentFields } ? I : IncidentFields

/** The client without its path checks: GET /incidents is read the same whether or not this build's contract lists it. */
const untyped = api as unknown as { get: (path: string, options: { query?: object; signal?: AbortSignal }) => Promise<unknown> }

const ACTIVE = new Set(['open', 'acknowledged'])

/** The active drift incident of the selected model, refreshed with each drift cycle (`runId`); null when there is none. */
export function useDriftIncident(runId: number | undefined) {
  const model = useSelectedModel()
  return useQuery({
    queryKey: ['incidents', 'active', 1, { model, run: runId ?? null }],
    queryFn: async ({ signal }): Promise<DriftIncident | null> => {
      try {
        const answer = (await untyped.get('/incidents', { query: { status: 'active', limit: 1, model }, signal })) as { incidents?: DriftIncident[] }
        const incident = answer.incidents?.[0]
        return incident && incident.cause === 'drift' && ACTIVE.has(incident.status) ? incident : null
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null // an API before incidents
        throw error
      }
    },
    placeholderData: keepPreviousData,
    retry: false,
  })
}
