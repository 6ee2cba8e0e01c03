/**
 * The one data layer: every REST read and write of the dashboard, as TanStack Query
 * hooks with shared keys. The live channel (live-events.ts) updates the same keys.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query'
import { useMemo } from 'react'
import type {
  AlertAction, AlertStatus, ApiRequest, ApiResult, Explanation, FeatureSpec, ModelChange, ModelRow, ModelVersion, Prediction, RegisteredModel, RetrainJob, RetrainRequest, RetrainStatus, RowExplanation, ScoredRow,
  PathsFor, SimulatorUpdate, StageAction, StageChange, Transaction,
} from '../types/api'
import { api, ApiError } from './api-client'
import { FRAUD_MODEL, useSelectedModel } from './model-selection'
import { HISTORY_PARAMS, historyPoints, mergeSeries, type SeriesPoint } from './series'

export const keys = {
  stats: ['stats'],
  statsSeries: ['stats-series'],
  statsHistory: ['stats-history'],
  model: ['model'],
  drift: ['drift'],
  driftSummary: ['drift-summary'],
  driftHistory: (feature: string | undefined) => ['drift-history', feature],
  driftHistoryAll: ['drift-history'],
  performance: ['performance'],
  alerts: (status: AlertStatus | undefined, limit: number) => ['alerts', status ?? 'all', limit],
  alertsAll: ['alerts'],
  incidents: (status: IncidentFilter | undefined, limit: number) => ['incidents', status ?? 'all', limit],
  incidentsAll: ['incidents'],
  simulator: ['simulator'],
  lastScore: ['last-score'],
  session: ['session'],
  degraded: ['degraded'],
  models: ['models'],
  registeredModel: (name: string) => ['models', name],
  events: ['events'],
  comparison: (name: string) => ['comparison', name],
  comparisonAll: ['comparison'],
  retrainJobs: (name: string) => ['retrain', name],
  retrainAll: ['retrain'],
  modelChange: ['model-change'],
} as const

/**
 * A read's key for `model`: the fraud model keeps today's key (the live channel updates it),
 * another model's key extends it with {model}, so invalidating a key refreshes every model's.
 */
export const scopedKey = (key: QueryKey, model: string): QueryKey => (model === FRAUD_MODEL ? key : [...key, { model }])

/** A key scoped to a registered model other than fraud (which the live channel does not feed). */
export const isScopedKey = (key: QueryKey) => key.some((part) => typeof part === 'object' && part !== null && 'model' in part)

/** The backend without its database, as the live channel's `degraded` message says; null when healthy. */
export interface Degraded {
  since: string | null
  reason: string | null
  /** Set after a reconnect: holds until the server says so again or fresh stats arrive. */
  unconfirmed?: boolean
}

/** The last scored transaction's answer. */
export interface Score {
  prediction: Prediction
  explanation: Explanation
}

/** `model` when given, else the one selected in the URL. */
const useModelName = (model?: string) => {
  const selected = useSelectedModel()
  return model ?? selected
}

/** Traffic figures of `model` (default: the selected one); the fraud model's come from the live channel too. */
export function useStats(model?: string) {
  const name = useModelName(model)
  return useQuery({
    queryKey: scopedKey(keys.stats, name),
    queryFn: ({ signal }) => (name === FRAUD_MODEL ? api.get('/stats', { signal }) : api.get('/models/{name}/stats', { path: { name }, signal })),
  })
}

/**
 * The traffic series: the last minutes from REST (loaded once, and again after a
 * reconnect), continued by the live channel's points, which live-events.ts appends.
 */
export function useStatsSeries(): { data: SeriesPoint[] } {
  const history = useQuery({
    queryKey: keys.statsHistory,
    queryFn: ({ signal }) => api.get('/stats/history', { query: HISTORY_PARAMS, signal }),
    select: historyPoints,
    staleTime: Infinity,
  })
  const live = useQuery<SeriesPoint[]>({ queryKey: keys.statsSeries, queryFn: () => [], initialData: [], staleTime: Infinity, gcTime: Infinity })
  const data = useMemo(() => mergeSeries(history.data ?? [], live.data), [history.data, live.data])
  return { data }
}

/** The served fraud model's card (GET /model). */
export const useModel = ({ enabled = true }: { enabled?: boolean } = {}) =>
  useQuery({ queryKey: keys.model, queryFn: ({ signal }) => api.get('/model', { signal }), enabled })

/**
 * Every registered model with its newest version, the built-in fraud model first. Nothing
 * announces a registration made elsewhere (the CLI, another browser), so `refresh` reads the
 * list again whenever the caller mounts (the Models view), which also updates the header.
 */
export const useModels = ({ refresh = false }: { refresh?: boolean } = {}) =>
  useQuery({ queryKey: keys.models, queryFn: ({ signal }) => api.get('/models', { signal }), refetchOnMount: refresh ? 'always' : true })

/**
 * The version of a model that answers: its champion. A newer version (`latest`) may be a candidate
 * or a challenger; a model listed without stages (an older backend) answers with its newest.
 */
export const answeringVersion = (model: Pick<RegisteredModel, 'champion' | 'latest'>): ModelVersion | null => model.champion ?? model.latest

/** One registered model with every version, its stages and its champion (the one served). */
export const useRegisteredModel = (name: string, { enabled = true }: { enabled?: boolean } = {}) =>
  useQuery({
    queryKey: keys.registeredModel(name),
    queryFn: ({ signal }) => api.get('/models/{name}', { path: { name }, signal }),
    enabled,
  })

/**
 * The selected model's feature schema: the fraud model's from GET /model, another one's
 * from its newest registered version; undefined while it loads.
 */
export function useFeatureSchema(): FeatureSpec[] | undefined {
  const name = useSelectedModel()
  const fraud = name === FRAUD_MODEL
  const served = useModel({ enabled: fraud })
  const registered = useRegisteredModel(name, { enabled: !fraud })
  return fraud ? (served.data?.feature_schema ?? undefined) : (registered.data ? answeringVersion(registered.data)?.features : undefined)
}

export function useDrift() {
  const name = useModelName()
  return useQuery({
    queryKey: scopedKey(keys.drift, name),
    queryFn: ({ signal }) => (name === FRAUD_MODEL ? api.get('/drift', { signal }) : api.get('/models/{name}/drift', { path: { name }, signal })),
  })
}

/** The latest cycle's dataset drift of `model` (default: the selected one). */
export function useDriftSummary(model?: string) {
  const name = useModelName(model)
  return useQuery({
    queryKey: scopedKey(keys.driftSummary, name),
    queryFn: ({ signal }) =>
      name === FRAUD_MODEL ? api.get('/drift/summary', { signal }) : api.get('/models/{name}/drift/summary', { path: { name }, signal }),
  })
}

export function useDriftHistory(feature: string | undefined) {
  const name = useModelName()
  return useQuery({
    queryKey: scopedKey(keys.driftHistory(feature), name),
    queryFn: ({ signal }) => {
      const query = { feature: feature ?? '' }
      return name === FRAUD_MODEL
        ? api.get('/drift/history', { query, signal })
        : api.get('/models/{name}/drift/history', { path: { name }, query, signal })
    },
    enabled: Boolean(feature),
  })
}

export function usePerformance() {
  const name = useModelName()
  return useQuery({
    queryKey: scopedKey(keys.performance, name),
    queryFn: ({ signal }) =>
      name === FRAUD_MODEL ? api.get('/performance', { signal }) : api.get('/models/{name}/performance', { path: { name }, signal }),
  })
}

/** Alerts of `model` (default: the selected one), newest first, optionally of one status. */
export function useAlerts({ status, limit = 100, model }: { status?: AlertStatus; limit?: number; model?: string } = {}) {
  const name = useModelName(model)
  return useQuery({
    queryKey: scopedKey(keys.alerts(status, limit), name),
    queryFn: ({ signal }) => {
      const query = { status, limit }
      return name === FRAUD_MODEL ? api.get('/alerts', { query, signal }) : api.get('/models/{name}/alerts', { path: { name }, query, signal })
    },
  })
}

export const useSimulator = () =>
  useQuery({ queryKey: keys.simulator, queryFn: ({ signal }) => api.get('/simulator', { signal }) })

/** Acknowledge or resolve an alert: {id, action: 'acknowledge' | 'resolve'}. */
export function useAlertAction() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, action }: { id: number; action: AlertAction }) =>
      api.post(`/alerts/{alert_id}/${action}`, { path: { alert_id: id } }),
    onSettled: () => client.invalidateQueries({ queryKey: keys.alertsAll }),
  })
}

/**
 * An incident: the alerts one cause raised in one monitoring cycle (a drift event's per-feature,
 * dataset and prediction alerts), with a title and summary the worker wrote for people.
 */
export type Incidents = ApiResult<'get', '/incidents'>
export type Incident = Incidents['incidents'][number]
export type IncidentFeature = Incident['features'][number]
export type IncidentStatus = Incident['status']
/** What GET /incidents filters on: one status, or `active` (open and acknowledged). */
export type IncidentFilter = NonNullable<NonNullable<ApiRequest<'get', '/incidents'>['query']>['status']>
/** What POST /incidents/{incident_id}/<action> can do to an incident: the API's own paths. */
export type IncidentAction = PathsFor<'post'> extends infer P ? (P extends `/incidents/{incident_id}/${infer A}` ? A : never) : never

/** Incidents of `model` (default: the selected one), newest first, optionally of one status or the active ones. */
export function useIncidents({ status, limit = 50, model }: { status?: IncidentFilter; limit?: number; model?: string } = {}) {
  const name = useModelName(model)
  return useQuery({
    queryKey: scopedKey(keys.incidents(status, limit), name),
    queryFn: ({ signal }) => {
      const query = { status, limit }
      return name === FRAUD_MODEL
        ? api.get('/incidents', { query, signal })
        : api.get('/models/{name}/incidents', { path: { name }, query, signal })
    },
  })
}

/** The current (open and acknowledged) incidents of the selected model: one query for the Alerts view, the Overview and a nav badge (`.data?.counts.open`). */
export const useActiveIncidents = () => useIncidents({ status: 'active' })

/** Acknowledge or resolve an incident, every alert of it at once: {id, action: 'acknowledge' | 'resolve'}. */
export function useIncidentAction() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, action }: { id: number; action: IncidentAction }) =>
      api.post(`/incidents/{incident_id}/${action}`, { path: { incident_id: id } }),
    onSettled: () => {
      client.invalidateQueries({ queryKey: keys.incidentsAll })
      client.invalidateQueries({ queryKey: keys.alertsAll })
    },
  })
}

/** Switch the simulator: {scenario, params?, rps?}; an omitted rps keeps the rate. */
export function useSimulatorUpdate() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: SimulatorUpdate) => api.put('/simulator', { body }),
    onSuccess: (state) => client.setQueryData(keys.simulator, state),
  })
}

/** Score and explain one transaction in parallel; the last answer stays in the cache. */
export function usePredictExplain() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (transaction: Transaction): Promise<Score> => {
      const [prediction, explanation] = await Promise.all([
        api.post('/predict', { body: transaction }),
        api.post('/explain', { body: transaction }),
      ])
      return { prediction, explanation }
    },
    onSuccess: (result) => client.setQueryData(keys.lastScore, result),
  })
}

/** The last score of a registered model (not fraud), kept while the user visits other views. */
export interface RowScore {
  model: string
  score: ScoredRow
  /** TreeSHAP contributions (XGBoost models), or null with the API's reason in `unexplained` (e.g. an ONNX model). */
  explanation: RowExplanation | null
  unexplained: string | null
}

/**
 * Score one row with a registered model and explain it, in parallel (POST /models/{name}/predict
 * and /explain). A model the API cannot explain (a 422: ONNX has no TreeSHAP) is still scored,
 * with the API's reason kept; any other failure fails the whole (a 401 asks for a key).
 */
export function useScoreRow(model: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (row: ModelRow): Promise<RowScore> => {
      const path = { name: model }
      const [score, explained] = await Promise.all([
        api.post('/models/{name}/predict', { path, body: row }),
        api.post('/models/{name}/explain', { path, body: row }).then(
          (explanation) => ({ explanation, unexplained: null }),
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 422) return { explanation: null, unexplained: error.errors[0]?.message ?? error.message }
            throw error
          },
        ),
      ])
      return { model, score, ...explained }
    },
    onSuccess: (result) => client.setQueryData<RowScore>(scopedKey(keys.lastScore, model), result),
  })
}

export const useLastRowScore = (model: string) =>
  useQuery<RowScore | null>({ queryKey: scopedKey(keys.lastScore, model), queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })

/** Check (dry run) or register a model: the multipart form of POST /models; a stored one refreshes the model list. */
export function useRegisterModel() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (form: FormData) => api.upload('/models', form),
    onSuccess: (registration) => {
      if (registration.saved) client.invalidateQueries({ queryKey: keys.models })
    },
  })
}

/** How many of the newest events (every model's) the Models view and the charts' marks read. */
export const EVENT_LIMIT = 200

/**
 * The recent events of `model` (default: the selected one), newest first: promotions, rollbacks,
 * challengers, retrains, gate decisions. One read of GET /events serves every model and chart;
 * the live channel's `models` message reads it again.
 */
export function useModelEvents(model?: string) {
  const name = useModelName(model)
  return useQuery({
    queryKey: keys.events,
    queryFn: ({ signal }) => api.get('/events', { query: { limit: EVENT_LIMIT }, signal }),
    select: (events) => events.filter((e) => e.model === name),
  })
}

/** Champion against challenger over the last `minutes`, one point per monitoring cycle (oldest first). */
export const useComparison = (name: string, minutes = 60) =>
  useQuery({
    queryKey: [...keys.comparison(name), minutes],
    queryFn: ({ signal }) => api.get('/models/{name}/comparison', { path: { name }, query: { minutes }, signal }),
  })

/** A retrain job still on its way to registered or failed. */
export const isActiveJob = (status: RetrainStatus) => status === 'queued' || status === 'training' || status === 'evaluating'

/** How many of a model's newest retrain jobs the Models view shows. */
export const RETRAIN_JOBS_SHOWN = 5

/**
 * A model's newest retrain jobs. The live channel announces a job's steps (queued, started,
 * registered, failed), not its progress line ("training: trial 3 of 5"), so while one runs
 * the list is read again every 2 s: the one timer of the data layer, and only then.
 */
export const useRetrainJobs = (name: string) =>
  useQuery({
    queryKey: keys.retrainJobs(name),
    queryFn: ({ signal }) => api.get('/models/{name}/retrain', { path: { name }, query: { limit: RETRAIN_JOBS_SHOWN }, signal }),
    refetchInterval: (query) => (query.state.data?.some((job) => isActiveJob(job.status)) ? 2000 : false),
  })

/**
 * What a model change may have touched: the registry (every model and its versions), the timeline,
 * comparisons and retrains. (The fraud model's card follows the served version in the live stats.)
 */
export function refreshModelChanges(client: QueryClient) {
  for (const key of [keys.models, keys.events, keys.comparisonAll, keys.retrainAll]) {
    client.invalidateQueries({ queryKey: key })
  }
}

/** A stage change: promote, shadow, canary (with its share) or retire a version, or roll the model back. */
export type StageChangeRequest =
  | { model: string; action: Exclude<StageAction, 'canary' | 'rollback'>; version: string; reason?: string }
  | { model: string; action: 'canary'; version: string; share: number; reason?: string }
  | { model: string; action: 'rollback'; reason?: string }

/**
 * POST a stage change (admin). A refusal is a 409 whose message says why (the error's message).
 * Rollback goes to the model (back to its previous champion), the others to one version.
 */
export function useStageChange() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: StageChangeRequest): Promise<StageChange> => {
      const reason = change.reason?.trim() ?? ''
      if (change.action === 'rollback') {
        return api.post('/models/{name}/rollback', { path: { name: change.model }, body: reason ? { reason } : undefined })
      }
      const path = { name: change.model, version: change.version }
      if (change.action === 'canary') {
        return api.post('/models/{name}/versions/{version}/canary', { path, body: { share: change.share, reason } })
      }
      return api.post(`/models/{name}/versions/{version}/${change.action}`, { path, body: reason ? { reason } : undefined })
    },
    onSettled: () => refreshModelChanges(client),
  })
}

/** Ask for a retrain of `model` (admin): 202 with the queued job, or a 409 saying why not now. */
export function useRetrain() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ model, params = {} }: { model: string; params?: NonNullable<RetrainRequest> }) =>
      api.post('/models/{name}/retrain', { path: { name: model }, body: params }),
    onSuccess: (job) =>
      client.setQueryData<RetrainJob[]>(keys.retrainJobs(job.model), (jobs) => [job, ...(jobs ?? []).filter((j) => j.id !== job.id)]),
    onSettled: (_job, _error, { model }) => {
      client.invalidateQueries({ queryKey: keys.retrainJobs(model) })
      client.invalidateQueries({ queryKey: keys.events })
    },
  })
}

/** The newest model change the live channel announced in this session (a promotion, a retrain, …), null before one. */
export const useLastModelChange = () =>
  useQuery<ModelChange | null>({ queryKey: keys.modelChange, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })

/**
 * Whether the backend has lost its database: {since, reason} from the live channel's
 * `degraded` message, null when healthy (live-events.ts sets and clears it).
 */
export const useDegraded = () =>
  useQuery<Degraded | null>({ queryKey: keys.degraded, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })

/** The last scored transaction's answer, kept while the user visits other views. */
export const useLastScore = () =>
  useQuery<Score | null>({ queryKey: keys.lastScore, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })
