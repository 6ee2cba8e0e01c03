/**
 * The keys of the one data layer (TanStack Query). Everything about a model is kept under a key
 * that names it (['drift', 'cancer']), so one model's answers never stand in for another's, and
 * the live channel writes only into the keys of the model it is connected for. A key without its
 * last parts is a prefix: invalidating keys.incidents(model) refreshes every list of its incidents.
 */
import type { AlertStatus, IncidentFilter } from '../types/api'

export const keys = {
  // What is not any one model's.
  models: ['models'],
  simulator: ['simulator'],
  session: ['session'],
  degraded: ['degraded'],
  modelChange: ['model-change'],
  // Every model's at once (a model change may touch any of them).
  everyModelsEvents: ['events'],
  everyModelsComparisons: ['comparison'],
  everyModelsRetrainJobs: ['retrain'],
  everyModelsServedVersions: ['served-version'],

  // One model's.
  registeredModel: (model: string) => ['models', model],
  servedVersion: (model: string) => ['served-version', model],
  stats: (model: string) => ['stats', model],
  statsHistory: (model: string) => ['stats-history', model],
  statsSeries: (model: string) => ['stats-series', model],
  drift: (model: string) => ['drift', model],
  driftSummary: (model: string) => ['drift-summary', model],
  driftHistory: (model: string) => ['drift-history', model],
  driftHistoryOf: (model: string, feature: string | undefined) => ['drift-history', model, feature ?? null],
  performance: (model: string) => ['performance', model],
  alerts: (model: string) => ['alerts', model],
  alertList: (model: string, status: AlertStatus | undefined, limit: number) => ['alerts', model, status ?? 'all', limit],
  incidents: (model: string) => ['incidents', model],
  incidentList: (model: string, status: IncidentFilter | undefined, limit: number) => ['incidents', model, status ?? 'all', limit],
  events: (model: string) => ['events', model],
  comparison: (model: string) => ['comparison', model],
  comparisonOver: (model: string, minutes: number) => ['comparison', model, minutes],
  retrainJobs: (model: string) => ['retrain', model],
  lastScore: (model: string) => ['last-score', model],
  lastInput: (model: string) => ['last-score-input', model],
} as const

/**
 * What the live channel of `model` keeps fresh: its traffic, its monitoring results, its alerts,
 * incidents and timeline. When the dashboard leaves the model these go stale, to be read again
 * on its return.
 */
export const liveKeys = (model: string) => [
  keys.stats(model),
  keys.servedVersion(model),
  keys.drift(model),
  keys.driftSummary(model),
  keys.driftHistory(model),
  keys.performance(model),
  keys.comparison(model),
  keys.alerts(model),
  keys.incidents(model),
  keys.events(model),
]
