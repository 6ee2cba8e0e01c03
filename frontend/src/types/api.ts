/**
 * The API's requests and answers as TypeScript types, all derived from the types generated
 * out of the backend's OpenAPI document (src/api/schema.d.ts, `npm run gen:api`), so a
 * backend change that breaks the dashboard fails `npm run typecheck`. Paths are written as
 * the API client takes them, without the /api/v1 prefix: '/stats', '/alerts/{alert_id}/resolve'.
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

type RequestJson<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
type Parameters<O> = O extends { parameters: infer P extends { query?: unknown; path?: unknown } } ? P : never
/** Drops the members the operation declares as `?: never` (no query, no path parameters). */
type Declared<T> = { [K in keyof T as [Exclude<T[K], undefined>] extends [never] ? never : K]: T[K] }
type BodyOption<O> = [RequestJson<O>] extends [never] ? unknown : { body: RequestJson<O> }

/** The second argument of an API call: its query and path parameters and body, as the operation declares them. */
export type ApiRequest<M extends Method, P extends PathsFor<M>> = Declared<Pick<Parameters<Operation<M, P>>, 'query' | 'path'>> &
  BodyOption<Operation<M, P>> & { signal?: AbortSignal }

/** The request is optional when nothing in it is required. */
export type ApiRequestArgs<M extends Method, P extends PathsFor<M>> =
  Partial<ApiRequest<M, P>> extends ApiRequest<M, P> ? [request?: ApiRequest<M, P>] : [request: ApiRequest<M, P>]

export type Stats = ApiResult<'get', '/stats'>
export type StatsHistory = ApiResult<'get', '/stats/history'>
export type ModelInfo = ApiResult<'get', '/model'>
export type Drift = ApiResult<'get', '/drift'>
export type FeatureDrift = Drift['features'][number]
export type DriftRun = NonNullable<Drift['run']>
export type DriftThresholds = Drift['thresholds']
export type Histogram = FeatureDrift['histogram']
export type Severity = FeatureDrift['severity']
export type DriftSummary = ApiResult<'get', '/drift/summary'>
export type DriftHistory = ApiResult<'get', '/drift/history'>
export type Performance = ApiResult<'get', '/performance'>
export type PerformancePoint = Performance['realized'][number]
export type Alerts = ApiResult<'get', '/alerts'>
export type Alert = Alerts['items'][number]
export type AlertStatus = Alert['status']
/** What POST /alerts/{alert_id}/<action> can do to an alert: the API's own paths. */
export type AlertAction = PathsFor<'post'> extends infer P ? (P extends `/alerts/{alert_id}/${infer A}` ? A : never) : never
export type SimulatorState = ApiResult<'get', '/simulator'>
export type Scenario = SimulatorState['scenarios'][number]
export type SimulatorUpdate = ApiBody<'put', '/simulator'>
export type Session = ApiResult<'get', '/auth/session'>
export type Role = NonNullable<Session['role']>
export type Transaction = ApiBody<'post', '/predict'>
export type Prediction = ApiResult<'post', '/predict'>
export type Explanation = ApiResult<'post', '/explain'>
export type FeatureSpec = NonNullable<ModelInfo['feature_schema']>[number]

type ValidationProblem = JsonContent<Operation<'post', '/predict'>['responses'][422]>
export type FieldError = Pick<ValidationProblem['errors'][number], 'field' | 'message'>

/** The POST paths whose body is a multipart form (uploads), which api.upload takes. */
export type UploadPath = {
  [P in PathsFor<'post'>]: Operation<'post', P> extends { requestBody: { content: { 'multipart/form-data': unknown } } } ? P : never
}[PathsFor<'post'>]

/** The model registry: every model with its newest version, one model with its history, a registration's answer. */
export type RegisteredModel = ApiResult<'get', '/models'>[number]
export type ModelDetail = ApiResult<'get', '/models/{name}'>
export type ModelVersion = NonNullable<RegisteredModel['latest']>
export type Registration = ApiResult<'post', '/models'>
/** The fields of POST /models' multipart form, as the document names them. */
export type RegistrationForm = NonNullable<Operation<'post', '/models'>['requestBody']>['content']['multipart/form-data']
/** A registered model's input row (its features by name) and its score. */
export type ModelRow = ApiBody<'post', '/models/{name}/predict'>
export type ScoredRow = ApiResult<'post', '/models/{name}/predict'>
export type RowExplanation = ApiResult<'post', '/models/{name}/explain'>

/** A message of WS /ws/live, which the document describes among its schemas (no path has it). */
export type LiveMessage = components['schemas']['LiveMessage']

