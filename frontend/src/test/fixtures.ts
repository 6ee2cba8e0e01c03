/** Small API bodies in the shapes of the backend's contract: the generated types check them. */
import type {
  Alert, AlertStatus, ComparisonDetails, ComparisonPoint, ComparisonSide, Drift, DriftRun, FeatureDrift, FeatureSpec, Incident, Incidents, IncidentStatus,
  ModelDetail, ModelEvent, ModelStages, ModelVersion, RegisteredModel, RetrainJob, RetrainStatus, VersionStage, Registration, Role, Scenario, Session, Severity, SimulatorState, Stats,
} from '../types/api'

export const stats = (total = 1234, extra: Partial<Stats> = {}): Stats => ({
  as_of: '2026-11-23T12:00:00+00:00',
  total_predictions: total,
  total_positive: 40,
  window_seconds: 60,
  last_minute: { count: 600, per_second: 10, positive_rate: 0.031, latency_ms: { p50: 3.2, p95: 8.5, p99: 14.1 } },
  positive_rate: 0.0324,
  model: 'fraud',
  model_version: 'v1',
  pending_writes: 0,
  ...extra,
})

export const schema: FeatureSpec[] = [
  { name: 'amount', kind: 'numeric', description: 'Transaction amount', example: 84.5, dtype: 'float', minimum: 0.01, maximum: 50000, unit: 'USD', categories: [] },
  { name: 'merchant_category', kind: 'categorical', description: 'Merchant category', example: 'grocery', dtype: 'str', minimum: null, maximum: null, unit: null, categories: ['grocery', 'electronics'] },
  { name: 'card_present', kind: 'boolean', description: 'Card present', example: true, dtype: 'bool', minimum: null, maximum: null, unit: null, categories: [] },
]

/** The built-in card-fraud model's served version (GET /models/fraud/model): XGBoost, three of its inputs. */
export const fraudVersion: ModelVersion = {
  version: '20261123-114132-b86bf37f', format: 'xgboost-json', registered_at: '2026-11-23T11:41:32+00:00', trained_at: '2026-11-23T11:41:32+00:00',
  threshold: 0.1017, metrics: { roc_auc: 0.9163, pr_auc: 0.438, precision: 0.2857, recall: 0.6426, f1: 0.3956, positive_rate: 0.031, n: 30000 },
  label_column: 'is_fraud', artifact_sha256: null, source: null, features: schema, stage: 'champion', retired_at: null,
}

const run: DriftRun = {
  id: 7, started_at: '2026-11-23T12:00:00+00:00', finished_at: '2026-11-23T12:00:01+00:00',
  window_start: '2026-11-23T11:55:00+00:00', window_end: '2026-11-23T12:00:00+00:00',
  n_rows: 3000, status: 'ok', model_version: 'v1', dataset_drift: false, drift_share: 0.5, prediction_drift: true,
}

const featureResult = (feature: string, psi: number, severity: Severity, test = 'ks', kind: FeatureDrift['kind'] = 'numeric'): FeatureDrift => ({
  feature, kind, psi, psi_severity: severity, test, statistic: psi / 2, p_value: severity === 'none' ? 0.4 : 1e-12,
  drifted: severity !== 'none', severity, n_reference: 5000, n_current: 3000,
  window_start: run.window_start, window_end: run.window_end,
  histogram: { bins: ['a', 'b'], reference: [0.5, 0.5], current: severity === 'none' ? [0.5, 0.5] : [0.2, 0.8] },
})

export const drift: Drift = {
  status: 'ok',
  run,
  features: [featureResult('amount', 0.61, 'significant'), featureResult('merchant_category', 0.04, 'none', 'chi2', 'categorical')],
  score: featureResult('fraud_probability', 0.3, 'significant'),
  thresholds: { psi_moderate: 0.1, psi_significant: 0.25, alpha: 0.05, ks_floor: 0.1, dataset_drift_share: 0.5 },
}

export const noDrift: Drift = { status: 'no_data', run: null, features: [], score: null, thresholds: drift.thresholds }

export const alert = (id: number, status: AlertStatus = 'open', extra: Partial<Alert> = {}): Alert => ({
  id, kind: 'feature_drift', feature: 'amount', severity: 'critical', status,
  message: `PSI 0.61 above 0.25 on amount (#${id})`, value: 0.61, threshold: 0.25,
  opened_at: '2026-11-23T12:00:00+00:00', updated_at: '2026-11-23T12:00:00+00:00',
  acknowledged_at: null, resolved_at: null, incident_id: null, ...extra,
})

/**
 * A drift incident of the fraud model: three features shifted after a traffic switch, its dataset and
 * prediction drift alerts among its members (ids id*10+1…); `status` sets the incident's and its members'.
 */
export const incident = (id: number, status: IncidentStatus = 'open', extra: Partial<Incident> = {}): Incident => {
  const resolved = status === 'resolved'
  const at = (s: number) => new Date(Date.parse('2026-11-23T12:00:00+00:00') + s * 1000).toISOString()
  const member = (n: number, kind: string, feature: string, message: string) =>
    alert(id * 10 + n, status, { kind, feature, message, opened_at: at(40), resolved_at: resolved ? at(400) : null })
  return {
    id, model: 'fraud', cause: 'drift', status, severity: 'critical',
    title: `Input drift: 3 of 13 features shifted (#${id})`,
    summary: 'Larger amounts, earlier hours, farther from home. Detected 40 s after Traffic: Sudden shift.',
    opened_at: at(40), started_at: at(0), detection_s: 40, updated_at: at(100),
    acknowledged_at: status === 'acknowledged' ? at(100) : null, acknowledged_by: status === 'acknowledged' ? 'a1b2c3d4' : null,
    resolved_at: resolved ? at(400) : null, duration_s: resolved ? 360 : 60,
    features: [
      { name: 'amount', label: 'Amount (USD)', severity: 'critical', peak_psi: 0.61, current_psi: resolved ? 0.03 : 0.52, drifted: !resolved },
      { name: 'hour_of_day', label: 'Hour of day (h)', severity: 'critical', peak_psi: 0.44, current_psi: resolved ? 0.02 : 0.41, drifted: !resolved },
      { name: 'distance_from_home_km', label: 'Distance from home (km)', severity: 'warning', peak_psi: 0.19, current_psi: resolved ? 0.01 : 0.08, drifted: false },
    ],
    peak: { drift_share: 0.23, roc_auc: null },
    n_alerts: 3, n_open: resolved ? 0 : 3,
    alerts: [
      member(1, 'dataset_drift', '', '3 of 13 inputs drifted (23%): Amount (USD), Hour of day (h), Distance from home (km)'),
      member(2, 'feature_drift', 'amount', 'Amount (USD) shifted strongly: PSI 0.61 (KS 0.31, p < 1e-10)'),
      member(3, 'prediction_drift', 'fraud_probability', 'Fraud probability shifted: PSI 0.30'),
    ],
    ...extra,
  }
}

/** GET /incidents' answer: `incidents` as given, `counts` per status (`counts` wins where given). */
export const incidentsOut = (items: Incident[], counts: Partial<Incidents['counts']> = {}): Incidents => {
  const tally = { open: 0, acknowledged: 0, resolved: 0 }
  for (const i of items) tally[i.status] += 1
  return { incidents: items, counts: { ...tally, ...counts } }
}

export const scenarios: Scenario[] = [
  { name: 'none', label: 'Normal traffic', description: 'Like training data.', params: {} },
  { name: 'sudden', label: 'Sudden shift', description: 'A fraud ring attacks.', params: {} },
]

export const simulator = (scenario = 'none', rps: number | null = null, model = 'fraud'): SimulatorState => ({
  model, scenario, params: {}, rps, updated_at: null, started_at: null, elapsed_s: null, scenarios,
})

export const session = (role: Role | null = null, extra: Partial<Session> = {}): Session => ({
  authenticated: role !== null, role, key_id: role ? 'a1b2c3d4' : null,
  expires_at: role ? '2026-11-24T12:00:00+00:00' : null, method: role ? 'session' : null,
  reads_require_auth: false, ...extra,
})

/** The breast-cancer model of the backend's registry tests: numeric measurements, ONNX, a label in its reference. */
export const cancerFeatures: ModelVersion['features'] = [
  { name: 'mean radius', kind: 'numeric', description: '', example: 13.4, dtype: 'float', minimum: null, maximum: null, unit: null, categories: [] },
  { name: 'mean texture', kind: 'numeric', description: '', example: 20.52, dtype: 'float', minimum: null, maximum: null, unit: null, categories: [] },
  { name: 'clinic', kind: 'categorical', description: '', example: 'north', dtype: 'str', minimum: null, maximum: null, unit: null, categories: ['north', 'south'] },
  { name: 'smoker', kind: 'boolean', description: '', example: false, dtype: 'bool', minimum: null, maximum: null, unit: null, categories: [] },
]

export const cancerVersion: ModelVersion = {
  version: '20261201-191003-e3915b7d', format: 'onnx', registered_at: '2026-12-01T19:10:03+00:00', trained_at: '2026-12-01T19:10:03+00:00',
  threshold: 0.5, metrics: { roc_auc: 0.9997, pr_auc: 0.9998, precision: 0.989, recall: 1, f1: 0.9946, positive_rate: 0.644, n: 284 },
  label_column: 'target', artifact_sha256: 'e3915b7d', source: { schema: 'inferred' }, features: cancerFeatures,
  stage: 'champion', retired_at: null,
}

/** A model's stages with only a champion: what every model has until a challenger is tried. */
export const championOnly = (champion: string, extra: Partial<ModelStages> = {}): ModelStages => ({
  champion, challenger: null, mode: null, share: null, previous_champion: null, generation: 1, changed_at: null, ...extra,
})

/** The built-in model, listed first (the default one). */
export const fraudEntry: RegisteredModel = {
  name: 'fraud', task: 'binary_classification', description: 'Card-transaction fraud (XGBoost), the demo model', active: true, is_default: true,
  created_at: '2026-11-23T11:41:32+00:00', versions: 1, latest: fraudVersion,
  champion: fraudVersion, stages: championOnly(fraudVersion.version),
}

export const cancerEntry: RegisteredModel = {
  name: 'cancer', task: 'binary_classification', description: 'Breast-cancer biopsies, logistic regression via skl2onnx', active: true, is_default: false,
  created_at: '2026-12-01T19:10:03+00:00', versions: 2, latest: cancerVersion,
  champion: cancerVersion, stages: championOnly(cancerVersion.version),
}

export const cancerDetail: ModelDetail = { ...cancerEntry, history: [cancerVersion] }

export const registration = (saved: boolean): Registration => ({
  saved, name: 'cancer', version: cancerVersion, schema_inferred: true, reference_rows: 284,
})

/** An event of the fraud model's timeline (GET /models/fraud/events), of `kind` at `at`. */
export const modelEvent = (id: number, kind: string, at: string, extra: Partial<ModelEvent> = {}): ModelEvent => ({
  id, created_at: at, model: 'fraud', kind, version: `20261123-120000-0000${String(id).padStart(4, '0')}`, actor: 'a1b2c3d4',
  message: `${kind} (#${id})`, details: {}, ...extra,
})

/** The fraud model's versions on every stage: a champion, a canary on 25%, the previous champion, a retired one and a candidate. */
export const staged = {
  champion: fraudVersion.version,
  canary: '20261124-090000-c0ffee12',
  previous: '20261122-080000-a1d0a1d0',
  retired: '20261121-070000-dead0001',
  candidate: '20261124-100000-cafe0002',
}

export const stagedVersion = (version: string, stage: VersionStage, extra: Partial<ModelVersion> = {}): ModelVersion => ({
  ...fraudVersion, version, stage, registered_at: `${version.slice(0, 4)}-${version.slice(4, 6)}-${version.slice(6, 8)}T${version.slice(9, 11)}:00:00+00:00`, ...extra,
})

/** A retrained version's source: what app.retrain records, its hold-out against the champion of the time. */
const retrainedSource = {
  trainer: 'app.retrain', job_id: 12, champion: fraudVersion.version,
  mix: { traffic_rows: 2400, reference_rows: 600, reference_share: 0.2 },
  time_range: { from: '2026-11-24T08:00:00+00:00', to: '2026-11-24T09:00:00+00:00', window_minutes: 60 },
  holdout: { rows: 600, positives: 31, challenger_roc_auc: 0.9342, champion_roc_auc: 0.9011 },
}

export const stagedStages: ModelStages = {
  champion: staged.champion, challenger: staged.canary, mode: 'canary', share: 0.25, previous_champion: staged.previous,
  generation: 7, changed_at: '2026-11-24T09:05:00+00:00',
}

export const stagedFraud: ModelDetail = {
  ...fraudEntry,
  versions: 5,
  latest: stagedVersion(staged.candidate, 'candidate', { metrics: { roc_auc: 0.8877 } }),
  champion: fraudVersion,
  stages: stagedStages,
  history: [
    stagedVersion(staged.candidate, 'candidate', { metrics: { roc_auc: 0.8877 } }),
    stagedVersion(staged.canary, 'canary', { metrics: { roc_auc: 0.9342 }, source: retrainedSource }),
    fraudVersion,
    stagedVersion(staged.previous, 'previous', { metrics: { roc_auc: 0.9054 } }),
    stagedVersion(staged.retired, 'retired', { metrics: { roc_auc: 0.8712 }, retired_at: '2026-11-23T10:00:00+00:00' }),
  ],
}

export const comparisonSide = (version: string, realized: number | null, estimated: number | null): ComparisonSide => ({
  version, n_scored: 4000, positive_rate: 0.03,
  score_histogram: { edges: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], counts: [3600, 150, 80, 50, 30, 25, 20, 15, 15, 15] },
  prediction_drift: { psi: 0.02, ks_statistic: 0.03, p_value: 0.4, drifted: false },
  realized: realized === null ? null : { n_rows: 1500, roc_auc: realized, precision: 0.4, recall: 0.6, f1: 0.48 },
  estimated: estimated === null ? null : { roc_auc: estimated, precision: 0.38, recall: 0.62, f1: 0.47 },
})

interface PointFigures {
  champion?: string
  challenger?: string
  realized?: [champion: number | null, challenger: number | null]
  estimated?: [champion: number | null, challenger: number | null]
  diff?: [estimate: number | null, low: number | null, high: number | null]
  agreement?: number | null
  nLabelled?: number
  gate?: ComparisonDetails['gate']
}

/** One cycle's comparison of the staged champion and canary, `minutes` after 09:00. */
export function comparisonPoint(minutes: number, figures: PointFigures = {}): ComparisonPoint {
  const {
    champion = staged.champion, challenger = staged.canary, realized = [0.905, 0.931], estimated = [0.9, 0.925], diff = [0.026, 0.008, 0.044],
    agreement = 0.962, nLabelled = 1500, gate = { enabled: true, decision: 'promote', reason: 'ROC-AUC gain +0.026, 95% CI [+0.008, +0.044] clears the margin 0.005' },
  } = figures
  const details: ComparisonDetails = {
    champion: comparisonSide(champion, realized[0], estimated[0]),
    challenger: comparisonSide(challenger, realized[1], estimated[1]),
    agreement,
    auc_diff: { estimate: diff[0], low: diff[1], high: diff[2], confidence: 0.95, resamples: 200, n: nLabelled },
    gate,
  }
  return {
    computed_at: new Date(Date.parse('2026-11-24T09:00:00Z') + minutes * 60_000).toISOString(),
    champion_version: champion, challenger_version: challenger, mode: 'canary', n_paired: 4000, n_labelled: nLabelled,
    details: { ...details },
  }
}

export const retrainJob = (id: number, status: RetrainStatus, extra: Partial<RetrainJob> = {}): RetrainJob => ({
  id, model: 'fraud', status, trigger: 'manual', requested_by: 'admin:a1b2c3d4', params: { trials: 5, window_minutes: 60 },
  created_at: '2026-11-24T09:00:00+00:00', started_at: status === 'queued' ? null : '2026-11-24T09:00:02+00:00',
  finished_at: status === 'registered' || status === 'failed' ? '2026-11-24T09:02:00+00:00' : null,
  progress: status === 'queued' ? 'queued' : status, error: null, version: null, result: null, ...extra,
})

/** Put `url` (path, ?model=…, #/view) in the address bar, as a link would. */
export const visit = (url: string) => window.history.replaceState(null, '', url)
