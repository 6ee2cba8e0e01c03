/**
 * The drift incident going on now, for the Drift view's verdict: since when the traffic drifted
 * and how long the monitoring took to see it. It is picked by cause from the model's
 * active incidents (the query the Alerts view, the Overview and the nav badge share), so a newer
 * performance incident does not hide it; with none, the view falls back to the feature's history.
 */
import { useActiveIncidents } from '../../lib/api/get-incidents'
import type { Incident } from '../../types/api'

export type DriftIncident = Incident

/** The active drift incident of `model`; null when there is none. */
export function useDriftIncident(model: string): DriftIncident | null {
  return useActiveIncidents(model).data?.incidents.find((incident) => incident.cause === 'drift') ?? null
}
