/**
 * The API's requests and answers as TypeScript types, all derived from the types generated
 * out of the backend's OpenAPI document (src/api/schema.d.ts, `npm run gen:api`), so a
 * backend change that breaks the dashboard fails `npm run typecheck`. Paths are written as
 * the API client takes them, without the /api/v1 prefix: '/models/{name}/stats', '/incidents/{incident_id}/resolve'.
 */
import type { components, paths } from '../api/schema'

export const API_PREFIX = '/api/v1'

type Prefixed = keyof paths
type StripPrefix<K> = K extends `${typeof API_PREFIX}${infer P}` ? P : never

export type Method = 'get' | 'post' | 'put' | 'delete'

/** Every path of the API, as the client takes it. */
export type ApiPath = StripPrefix<Prefixed>

type PathItem<P> = paths[`${typeof API_PREFIX}${P & string}` & Prefixed]

/** The paths that answer `M`: api.get takes only paths with a GET, and so on. */
export type PathsFor<M extends Method> = { [P in ApiPath]: PathItem<P> extends Record<M, object> ? P : never }[ApiPath]

type Operation<M extends Method, P> = PathItem<P>[M]

type JsonContent<R> = R extends { content: { 'application/json': infer T } } ? T : null
type SuccessBody<O> = O extends { responses: infer R } ? JsonContent<R[Extract<keyof R, 200 | 201 | 202 | 204>]> : never

/** What `M P` answers when it succeeds: the JSON body, or null for a 204. */
export type ApiResult<M extends Method, P extends PathsFor<M>> = SuccessBody<Operation<M, P>>

/** The JSON body `M P` takes (never when it takes none). */
export type ApiBody<M extends Method, P extends PathsFor<M>> = RequestJson<Operation<M, P>>

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never
/** The JSON body an operation takes, required or optional (`requestBody?:`); never when it takes none. */
type RequestJson<O> = O extends { requestBody?: infer R } ? JsonOf<Exclude<R, undefined>> : never
type Parameters<O> = O extends { parameters: infer P extends { query?: unknown; path?: unknown } } ? P : never
/** Drops the members the operation declares as `?: never` (no query, no path parameters). */
type Declared<T> = { [K in keyof T as [Exclude<T[K], undefined>] extends [never] ? never : K]: T[K] }
/** `body` as the operation declares it: required, optional (a stage change's reason), or absent. */
type BodyOption<O> = [RequestJson<O>] extends [never]
  ? unknown
  : O extends { requestBody: unknown }
    ? { body: RequestJson<O> }
    : { body?: RequestJson<O> }

/** The second argument of an API call: its query and path parameters and body, as the operation declares them. */
export type ApiRequest<M extends Method, P extends PathsFor<M>> = Declared<Pick<Parameters<Operation<M, P>>, 'query' | 'path'>> &
  BodyOption<Operation<M, P>> & { signal?: AbortSignal }

/** The request is optional when nothing in it is required. */
export type ApiRequestArgs<M extends Method, P extends PathsFor<M>> =
  Partial<ApiRequest<M, P>> extends ApiRequest<M, P> ? [request?: ApiRequest<M, P>] : [request: ApiRequest<M, P>]

// A model's reads, from its own routes (/models/{name}/…): the unscoped ones are the default model's only.
export type Stats = ApiResult<'get', '/models/{name}/stats'>
export type StatsHistory = ApiResult<'get', '/models/{name}/stats/history'>
export type Drift = ApiResult<'get', '/models/{name}/drift'>
export type FeatureDrift = Drift['features'][number]
export type DriftRun = NonNullable<Drift['run']>
export type DriftThresholds = Drift['thresholds']
export type Histogram = FeatureDrift['histogram']
export type Severity = FeatureDrift['severity']
export type DriftSummary = ApiResult<'get', '/models/{name}/drift/summary'>
export type DriftHistory = ApiResult<'get', '/models/{name}/drift/history'>
export type Performance = ApiResult<'get', '/models/{name}/performance'>
export type PerformancePoint = Performance['realized'][number]
export type Alerts = ApiResult<'get', '/models/{name}/alerts'>
export type Alert = Alerts['items'][number]
export type AlertStatus = Alert['status']
export type SimulatorState = ApiResult<'get', '/simulator'>
export type Scenario = SimulatorState['scenarios'][number]
export type SimulatorUpdate = ApiBody<'put', '/simulator'>
export type Session = ApiResult<'get', '/auth/session'>
export type Role = NonNullable<Session['role']>

/**
 * An incident: the alerts one cause raised in one monitoring cycle (a drift event's per-feature,
 * dataset and prediction alerts), with a title and summary the worker wrote for people.
 */
export type Incidents = ApiResult<'get', '/models/{name}/incidents'>
export type Incident = Incidents['incidents'][number]
export type IncidentFeature = Incident['features'][number]
export type IncidentStatus = Incident['status']
/** What GET /models/{name}/incidents filters on: one status, or `active` (open and acknowledged). */
export type IncidentFilter = NonNullable<NonNullable<ApiRequest<'get', '/models/{name}/incidents'>['query']>['status']>
/** What POST /incidents/{incident_id}/<action> can do to an incident: the API's own paths. */
export type IncidentAction = PathsFor<'post'> extends infer P ? (P extends `/incidents/{incident_id}/${infer A}` ? A : never) : never

type ValidationProblem = JsonContent<Operation<'post', '/models/{name}/predict'>['responses'][422]>
export type FieldError = Pick<ValidationProblem['errors'][number], 'field' | 'message'>

/** The POST paths whose body is a multipart form (uploads), which api.upload takes. */
export type UploadPath = {
  [P in PathsFor<'post'>]: Operation<'post', P> extends { requestBody: { content: { 'multipart/form-data': unknown } } } ? P : never
}[PathsFor<'post'>]

/** The model registry: every model with its newest version, one model with its history, a registration's answer. */
export type RegisteredModel = ApiResult<'get', '/models'>[number]
export type ModelDetail = ApiResult<'get', '/models/{name}'>
export type ModelVersion = NonNullable<RegisteredModel['latest']>
/** The version a model serves now (GET /models/{name}/model): its format, threshold, metrics and inputs. */
export type ServedVersion = ApiResult<'get', '/models/{name}/model'>
/** One input of a model, as its schema describes it. */
export type FeatureSpec = ModelVersion['features'][number]
export type Registration = ApiResult<'post', '/models'>
/** The fields of POST /models' multipart form, as the document names them. */
export type RegistrationForm = NonNullable<Operation<'post', '/models'>['requestBody']>['content']['multipart/form-data']
/** A model's input row (its features by name), its score and the score's explanation. */
export type ModelRow = ApiBody<'post', '/models/{name}/predict'>
export type ScoredRow = ApiResult<'post', '/models/{name}/predict'>
export type RowExplanation = ApiResult<'post', '/models/{name}/explain'>

/**
 * A model's stages: the champion (answers), at most one challenger tried in shadow (scores after
 * the answer) or as a canary (answers its share), and the previous champion a rollback serves.
 */
export type ModelStages = RegisteredModel['stages']
export type VersionStage = ModelVersion['stage']
/** What POST /models/{name}/versions/{version}/<action> does to a version: the API's own paths. */
export type StageAction = PathsFor<'post'> extends infer P ? (P extends `/models/{name}/versions/{version}/${infer A}` ? A : never) : never
export type StageChange = ApiResult<'post', '/models/{name}/rollback'>
/** A model's timeline: registrations, stage changes, retrains, gate decisions (newest first). */
export type ModelEvent = ApiResult<'get', '/models/{name}/events'>[number]
export type Comparison = ApiResult<'get', '/models/{name}/comparison'>
export type ComparisonPoint = Comparison['points'][number]
export type RetrainJob = ApiResult<'get', '/models/{name}/retrain'>[number]
export type RetrainStatus = RetrainJob['status']
export type RetrainRequest = ApiBody<'post', '/models/{name}/retrain'>

/** One version's performance in a comparison; a figure is null when too few rows are labelled. */
export interface ComparisonMetrics {
  roc_auc: number | null
  precision: number | null
  recall: number | null
  f1: number | null
}

/** One version's side of a comparison point (what the worker writes; the document types `details` loosely). */
export interface ComparisonSide {
  version: string
  n_scored: number
  positive_rate: number | null
  score_histogram: { edges: number[]; counts: number[] }
  prediction_drift: { psi: number | null; ks_statistic: number | null; p_value: number | null; drifted: boolean | null }
  realized: (ComparisonMetrics & { n_rows: number }) | null
  estimated: ComparisonMetrics | null
}

/** The ROC-AUC difference (challenger minus champion) on the same labelled rows, with its bootstrap interval. */
export interface AucDifference {
  estimate: number | null
  low: number | null
  high: number | null
  confidence: number
  resamples: number
  n: number
}

/** The `details` of a comparison point, as the monitoring worker's compare and gate write them. */
export interface ComparisonDetails {
  window_start?: string
  window_end?: string
  champion?: ComparisonSide
  challenger?: ComparisonSide
  agreement?: number | null
  auc_diff?: AucDifference
  gate?: { enabled: boolean; decision: 'promote' | 'hold'; reason: string }
}

/** A message of WS /ws/live, which the document describes among its schemas (no path has it). */
export type LiveMessage = components['schemas']['LiveMessage']

/** The live channel's `models` message: a newer model event (GET /events has it in full). */
export type ModelChange = Extract<LiveMessage, { type: 'models' }>['data']
