/**
 * The dataset's drift verdict as the Drift view leads with it: how many features drift now, since
 * when and how fast it was seen. "Since" and "detected in" come from the active drift incident
 * (started_at, else opened_at; detection_s); without one, from the drift history of the most
 * drifted feature (the first cycle of its current drifted streak), measured from the simulator's
 * switch to the current scenario when that came before it.
 */
import { formatClock, formatDuration } from '../../lib/format'
import type { Drift, DriftHistory } from '../../types/api'
import type { DriftIncident } from './drift-incident'

export interface Verdict {
  drifted: number
  total: number
  /** The dataset rule met: at least `threshold` of the features drift. */
  datasetDrift: boolean
  share: number
  threshold: number
  /** When the drift started (ISO), and how many seconds the monitoring took to flag it. */
  since: string | null
  detectionS: number | null
  source: 'incident' | 'history' | null
}

interface VerdictInputs {
  incident?: DriftIncident | null
  /** The most drifted feature's recent cycles. */
  history?: DriftHistory['points']
  /** When the traffic switched to the scenario running now (the simulator's updated_at), if one runs. */
  scenarioSince?: string | null
}

/** The current drifted streak's first cycle in `points` (any order); null when the newest cycle is not drifted. */
export function streakStart(points: DriftHistory['points']): string | null {
  const sorted = [...points].sort((a, b) => Date.parse(a.computed_at) - Date.parse(b.computed_at))
  let start: string | null = null
  for (const point of sorted) start = point.drifted ? (start ?? point.computed_at) : null
  return start
}

export function driftVerdict(drift: Drift, { incident, history, scenarioSince }: VerdictInputs = {}): Verdict {
  const total = drift.features.length
  const drifted = drift.features.filter((f) => f.drifted).length
  const threshold = drift.thresholds.dataset_drift_share ?? 0.5
  const share = total ? drifted / total : 0
  const datasetDrift = drift.run?.dataset_drift ?? (total > 0 && share >= threshold)
  const base = { drifted, total, datasetDrift, share, threshold }
  if (drifted === 0) return { ...base, since: null, detectionS: null, source: null }
  if (incident) return { ...base, since: incident.started_at ?? incident.opened_at, detectionS: incident.detection_s ?? null, source: 'incident' }
  const first = history ? streakStart(history) : null
  if (!first) return { ...base, since: null, detectionS: null, source: null }
  const switched = scenarioSince ? Date.parse(scenarioSince) : NaN
  if (Number.isFinite(switched) && switched <= Date.parse(first)) {
    return { ...base, since: scenarioSince ?? null, detectionS: (Date.parse(first) - switched) / 1000, source: 'history' }
  }
  return { ...base, since: first, detectionS: null, source: 'history' }
}

/** "Drifted: 3 of 13 features · since 13:46:25 · detected in 40 s", or "No drift: 0 of 13 features". */
export function verdictText(v: Verdict): string {
  const parts = [`${v.drifted ? 'Drifted' : 'No drift'}: ${v.drifted} of ${v.total} ${v.total === 1 ? 'feature' : 'features'}`]
  if (v.since) parts.push(`since ${formatClock(v.since)}`)
  if (v.detectionS !== null) parts.push(`detected in ${formatDuration(v.detectionS)}`)
  return parts.join(' · ')
}

/** How many features the dataset rule needs: at least `threshold` of `total`. */
export const ruleCount = (v: Pick<Verdict, 'threshold' | 'total'>) => Math.ceil(v.threshold * v.total - 1e-9)
