import type { QueryClient, QueryKey } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import type { Stats, StatsHistory } from '../../types/api'
import { stats } from '../../test/fixtures'
import { testClient } from '../../test/render'
import { keys, scopedKey } from '../queries'
import { appendPoint, historyPoints, mergeSeries, seriesPoint, type SeriesPoint } from '../series'
import { applyLiveEvent, refreshAfterReconnect } from './live-events'

const isInvalid = (client: QueryClient, key: QueryKey) => client.getQueryState(key)?.isInvalidated

describe('applyLiveEvent', () => {
  it('stats replace the stats query and extend the rolling series', () => {
    const client = testClient()
    applyLiveEvent(client, { type: 'stats', data: stats(10) })
    applyLiveEvent(client, { type: 'stats', data: stats(25, { as_of: '2026-11-23T12:00:01+00:00' }) })
    expect(client.getQueryData<Stats>(keys.stats)?.total_predictions).toBe(25)
    const series = client.getQueryData<SeriesPoint[]>(keys.statsSeries) ?? []
    expect(series.map((p) => p.total)).toEqual([10, 25])
    expect(series[1]).toMatchObject({ perSecond: 10, p50: 3.2, p95: 8.5, p99: 14.1, fraudRate: 0.031 })
  })

  it('a new model version in the stats refetches the model card', () => {
    const client = testClient([[keys.model, { version: 'v1' }]])
    applyLiveEvent(client, { type: 'stats', data: stats(1, { model_version: 'v1' }) })
    expect(isInvalid(client, keys.model)).toBe(false)
    applyLiveEvent(client, { type: 'stats', data: stats(2, { model_version: 'v2', as_of: '2026-11-23T12:00:05+00:00' }) })
    expect(isInvalid(client, keys.model)).toBe(true)
  })

  it('a drift event invalidates drift, summary, history and performance but not alerts', () => {
    const client = testClient([[keys.drift, {}], [keys.driftSummary, {}], [keys.driftHistory('amount'), {}], [keys.performance, {}], [keys.alerts('open', 5), {}]])
    applyLiveEvent(client, { type: 'drift', data: { run_id: 3, finished_at: '2026-11-23T12:00:00Z' } })
    for (const key of [keys.drift, keys.driftSummary, keys.driftHistory('amount'), keys.performance]) {
      expect(isInvalid(client, key)).toBe(true)
    }
    expect(isInvalid(client, keys.alerts('open', 5))).toBe(false)
  })

  it("a drift event refreshes every model's results and other models' traffic figures, not the fraud model's live stats", () => {
    const cancer = (key: readonly unknown[]) => scopedKey(key, 'cancer')
    const client = testClient([[keys.stats, {}], [cancer(keys.stats), {}], [cancer(keys.drift), {}], [cancer(keys.driftSummary), {}], [cancer(keys.alerts('open', 4)), {}]])
    applyLiveEvent(client, { type: 'drift', data: { run_id: 3, finished_at: '2026-11-23T12:00:00Z' } })
    expect(isInvalid(client, cancer(keys.drift))).toBe(true)
    expect(isInvalid(client, cancer(keys.driftSummary))).toBe(true)
    expect(isInvalid(client, cancer(keys.stats))).toBe(true)
    expect(isInvalid(client, keys.stats)).toBe(false) // the live channel pushes those every second
    expect(isInvalid(client, cancer(keys.alerts('open', 4)))).toBe(false)
  })

  it('an alerts event invalidates every alerts list', () => {
    const client = testClient([[keys.alerts('open', 5), {}], [keys.alerts('resolved', 100), {}], [keys.drift, {}]])
    applyLiveEvent(client, { type: 'alerts', data: { open: 2, updated_at: '2026-11-23T12:00:00Z' } })
    expect(isInvalid(client, keys.alerts('open', 5))).toBe(true)
    expect(isInvalid(client, keys.alerts('resolved', 100))).toBe(true)
    expect(isInvalid(client, keys.drift)).toBe(false)
  })

  it('an alerts or incidents event invalidates every incidents list, of every model, and the timeline', () => {
    const cancer = scopedKey(keys.incidents('active', 50), 'cancer')
    for (const type of ['alerts', 'incidents']) {
      const client = testClient([
        [keys.incidents('active', 50), {}], [keys.incidents('resolved', 20), {}], [cancer, {}], [keys.stats, {}], [keys.events, []],
      ])
      expect(applyLiveEvent(client, { type, data: { open: 1, updated_at: '2026-11-23T12:00:00Z' } })).toBe(true)
      expect(isInvalid(client, keys.incidents('active', 50))).toBe(true)
      expect(isInvalid(client, keys.incidents('resolved', 20))).toBe(true)
      expect(isInvalid(client, cancer)).toBe(true)
      expect(isInvalid(client, keys.events)).toBe(true) // detections and resolutions are marks on the charts
      expect(isInvalid(client, keys.stats)).toBe(false)
    }
  })

  it("a models event refetches the registry, every model's detail, the timeline, comparisons and retrain jobs, nothing else", () => {
    const seeded: QueryKey[] = [
      keys.models, keys.registeredModel('cancer'), keys.events, [...keys.comparison('cancer'), 60], keys.retrainJobs('fraud'),
      keys.drift, keys.alerts('open', 5), keys.model,
    ]
    const client = testClient(seeded.map((key) => [key, {}]))
    const change = { id: 41, created_at: '2026-11-23T12:00:00Z', model: 'cancer', kind: 'promoted', version: 'v2', message: 'v2 promoted to champion' }
    expect(applyLiveEvent(client, { type: 'models', data: change })).toBe(true)
    for (const key of seeded.slice(0, 5)) expect(isInvalid(client, key)).toBe(true)
    for (const key of seeded.slice(5)) expect(isInvalid(client, key)).toBe(false)
  })

  it('a drift event reads the comparisons again: a cycle adds a point to each', () => {
    const client = testClient([[[...keys.comparison('fraud'), 60], {}], [keys.events, []]])
    applyLiveEvent(client, { type: 'drift', data: { run_id: 3, finished_at: '2026-11-23T12:00:00Z' } })
    expect(isInvalid(client, [...keys.comparison('fraud'), 60])).toBe(true)
    expect(isInvalid(client, keys.events)).toBe(false)
  })

  it('a simulator event replaces the simulator state; unknown types are ignored', () => {
    const client = testClient()
    applyLiveEvent(client, { type: 'simulator', data: { scenario: 'sudden' } })
    expect(client.getQueryData(keys.simulator)).toEqual({ scenario: 'sudden' })
    expect(applyLiveEvent(client, { type: 'bogus', data: 1 })).toBe(false)
  })

  it('degraded marks the backend as without its database; recovered clears it and refetches what was missed', () => {
    const client = testClient([[keys.drift, {}], [keys.alerts('open', 5), {}]])
    applyLiveEvent(client, { type: 'degraded', data: { since: '2026-11-23T14:02:11Z', reason: 'database unavailable' } })
    expect(client.getQueryData(keys.degraded)).toEqual({ since: '2026-11-23T14:02:11Z', reason: 'database unavailable' })
    expect(isInvalid(client, keys.drift)).toBe(false)
    applyLiveEvent(client, { type: 'stats', data: stats(5) }) // not a reason to believe it is back
    expect(client.getQueryData(keys.degraded)).not.toBeNull()
    applyLiveEvent(client, { type: 'recovered', data: { since: '2026-11-23T14:02:11Z', at: '2026-11-23T14:03:00Z' } })
    expect(client.getQueryData(keys.degraded)).toBeNull()
    expect(isInvalid(client, keys.drift)).toBe(true)
    expect(isInvalid(client, keys.alerts('open', 5))).toBe(true)
  })

  it('after a reconnect a degraded backend holds only until fresh stats or a new degraded arrive', () => {
    const client = testClient()
    const degraded = { type: 'degraded', data: { since: '2026-11-23T14:02:11Z', reason: 'database unavailable' } }
    applyLiveEvent(client, degraded)
    refreshAfterReconnect(client)
    applyLiveEvent(client, degraded) // the server says so again at once: still degraded
    applyLiveEvent(client, { type: 'stats', data: stats(5) })
    expect(client.getQueryData(keys.degraded)).toMatchObject({ reason: 'database unavailable' })
    refreshAfterReconnect(client)
    applyLiveEvent(client, { type: 'stats', data: stats(6, { as_of: '2026-11-23T14:05:00Z' }) })
    expect(client.getQueryData(keys.degraded)).toBeNull()
  })

  it('a reconnect refetches what events may have changed', () => {
    const client = testClient([[keys.drift, {}], [keys.alerts('open', 5), {}], [keys.model, {}], [keys.statsHistory, { points: [] }], [keys.events, []]])
    refreshAfterReconnect(client)
    expect(isInvalid(client, keys.events)).toBe(true) // model changes missed meanwhile
    expect(isInvalid(client, keys.drift)).toBe(true)
    expect(isInvalid(client, keys.statsHistory)).toBe(true) // the gap is reloaded from history
    expect(isInvalid(client, keys.alerts('open', 5))).toBe(true)
    expect(isInvalid(client, keys.model)).toBe(false)
  })
})

describe('the rolling series', () => {
  it('keeps the newest points only and skips a repeated tick', () => {
    let series: { t: number }[] = []
    for (let t = 0; t < 5; t += 1) series = appendPoint(series, { t }, 3)
    expect(series.map((p) => p.t)).toEqual([2, 3, 4])
    expect(appendPoint(series, { t: 4 }, 3)).toBe(series)
    expect(appendPoint(series, { t: 1 }, 3)).toBe(series) // older than the newest: dropped
  })
  it('continues the history with the live points newer than its end', () => {
    const history = [{ t: 10 }, { t: 20 }, { t: 30 }]
    expect(mergeSeries(history, [{ t: 25 }, { t: 30 }, { t: 31 }, { t: 32 }]).map((p) => p.t)).toEqual([10, 20, 30, 31, 32])
    expect(mergeSeries(history, undefined)).toEqual(history)
    expect(mergeSeries(history, [{ t: 40 }], 2).map((p) => p.t)).toEqual([30, 40])
  })
  it('starts the history at its first point with traffic, keeping later gaps', () => {
    const point = (i: number, perSecond: number) => ({ as_of: new Date(i * 10_000).toISOString(), last_minute: { ...stats().last_minute, per_second: perSecond } })
    const body: Pick<StatsHistory, 'points'> = { points: [point(0, 0), point(1, 0), point(2, 4.5), point(3, 0), point(4, 9)] }
    expect(historyPoints(body).map((p) => p.perSecond)).toEqual([4.5, 0, 9])
    expect(historyPoints({ points: [point(0, 0)] })).toEqual([])
  })
  it('uses the server time of the stats', () => {
    expect(seriesPoint(stats()).t).toBe(Date.parse('2026-11-23T12:00:00+00:00'))
  })
})
