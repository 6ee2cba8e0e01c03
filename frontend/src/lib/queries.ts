/**
 * The one data layer: every REST read and write of the dashboard, as TanStack Query
 * hooks with shared keys. The live channel (live-events.ts) updates the same keys.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo } from 'react'
import type { AlertAction, AlertStatus, Explanation, Prediction, SimulatorUpdate, Transaction } from '../types/api'
import { api } from './api-client'
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
  simulator: ['simulator'],
  lastScore: ['last-score'],
  session: ['session'],
  degraded: ['degraded'],
} as const

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

export const useStats = () => useQuery({ queryKey: keys.stats, queryFn: ({ signal }) => api.get('/stats', { signal }) })

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

export const useModel = () => useQuery({ queryKey: keys.model, queryFn: ({ signal }) => api.get('/model', { signal }) })

export const useDrift = () => useQuery({ queryKey: keys.drift, queryFn: ({ signal }) => api.get('/drift', { signal }) })

export const useDriftSummary = () =>
  useQuery({ queryKey: keys.driftSummary, queryFn: ({ signal }) => api.get('/drift/summary', { signal }) })

export const useDriftHistory = (feature: string | undefined) =>
  useQuery({
    queryKey: keys.driftHistory(feature),
    queryFn: ({ signal }) => api.get('/drift/history', { query: { feature: feature ?? '' }, signal }),
    enabled: Boolean(feature),
  })

export const usePerformance = () =>
  useQuery({ queryKey: keys.performance, queryFn: ({ signal }) => api.get('/performance', { signal }) })

export const useAlerts = ({ status, limit = 100 }: { status?: AlertStatus; limit?: number } = {}) =>
  useQuery({ queryKey: keys.alerts(status, limit), queryFn: ({ signal }) => api.get('/alerts', { query: { status, limit }, signal }) })

/** The latest open alerts: one query for the nav badge's count and the Overview's list. */
export const useOpenAlerts = () => useAlerts({ status: 'open', limit: 4 })

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

/**
 * Whether the backend has lost its database: {since, reason} from the live channel's
 * `degraded` message, null when healthy (live-events.ts sets and clears it).
 */
export const useDegraded = () =>
  useQuery<Degraded | null>({ queryKey: keys.degraded, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })

/** The last scored transaction's answer, kept while the user visits other views. */
export const useLastScore = () =>
  useQuery<Score | null>({ queryKey: keys.lastScore, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })
