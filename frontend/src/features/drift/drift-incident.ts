/**
 * The drift incident going on now, for the Drift view's verdict: since when the traffic drifted
 * and how long the monitoring took to see it. It is picked by cause from the selected model's
 * active incidents (the query the Alerts view, the Overview and the nav badge share), so a newer
 * performance incident does not hide it; with none, the view falls back to the feature's history.
 */
import type { components } from '../../api/schema'
import { useActiveIncidents } from '../../lib/queries'

export type DriftIncident = components['schemas']['IncidentOut']

/** The active drift incident of the selected model; null when there is none. */
export function useDriftIncident(): DriftIncident | null {
  return useActiveIncidents().data?.incidents.find((incident) => incident.cause === 'drift') ?? null
}
