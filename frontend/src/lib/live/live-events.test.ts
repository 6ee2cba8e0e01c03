import type { QueryClient, QueryKey } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import type { Stats, StatsHistory } from '../../types/api'
import { fraudVersion, stats } from '../../test/fixtures'
import { testClient } from '../../test/render'
import { keys } from '../query-keys'
import { appendPoint, historyPoints, mergeSeries, seriesPoint, type SeriesPoint } from '../series'
import { applyLiveEvent, leaveModel, refreshAfterReconnect, refreshFailedReads } from './live-events'

const isInvalid = (client: QueryClient, key: QueryKey) => client.getQueryState(key)?.isInvalidated
const drift = { type: 'drift', data: { run_id: 3, finished_at: '2026-11-23T12:00:00Z' } }
const incidents = { type: 'incidents', data: { open: 1, acknowledged: 0, resolved: 0, updated_at: '2026-11-23T12:00:00Z', newest: null } }

describe('applyLiveEvent', () => {
  it("stats replace the connected model's stats and extend its rolling series, no other model's", () => {
    const client = testClient([[keys.stats('cancer'), stats(7)]])
    applyLiveEvent(client, { type: 'stats', data: stats(10) }, 'fraud')
    applyLiveEvent(client, { type: 'stats', data: stats(25, { as_of: '2026-11-23T12:00:01+00:00' }) }, 'fraud')
    expect(client.getQueryData<Stats>(keys.stats('fraud'))?.total_predictions).toBe(25)
    const series = client.getQueryData<SeriesPoint[]>(keys.statsSeries('fraud')) ?? []
    expect(series.map((p) => p.total)).toEqual([10, 25])
    expect(series[1]).toMatchObject({ perSecond: 10, p50: 3.2, p95: 8.5, p99: 14.1, positiveRate: 0.031 })
    expect(client.getQueryData<Stats>(keys.stats('cancer'))?.total_predictions).toBe(7)
    expect(client.getQueryData(keys.statsSeries('cancer'))).toBeUndefined()
  })

  it("a new version in the stats reads the model's served version again", () => {
    const client = testClient([[keys.servedVersion('fraud'), { ...fraudVersion, version: 'v1' }]])
    applyLiveEvent(client, { type: 'stats', data: stats(1, { model_version: 'v1' }) }, 'fraud')
    expect(isInvalid(client, keys.servedVersion('fraud'))).toBe(false)
    applyLiveEvent(client, { type: 'stats', data: stats(2, { model_version: 'v2', as_of: '2026-11-23T12:00:05+00:00' }) }, 'fraud')
    expect(isInvalid(client, keys.servedVersion('fraud'))).toBe(true)
  })

  it("a drift event reads the connected model's drift, summary, history, performance, comparison and incidents again, not its alerts nor another model's", () => {
    const own = [keys.drift('fraud'), keys.driftSummary('fraud'), keys.driftHistoryOf('fraud', 'amount'), keys.performance('fraud'), keys.comparisonOver('fraud', 60), keys.incidentList('fraud', 'active', 50)]
    const untouched = [keys.alertList('fraud', 'open', 5), keys.stats('fraud'), keys.events('fraud'), keys.drift('cancer'), keys.driftSummary('cancer'), keys.stats('cancer')]
    const client = testClient([...own, ...untouched].map((key) => [key, {}]))
    expect(applyLiveEvent(client, drift, 'fraud')).toBe(true)
    for (const key of own) expect(isInvalid(client, key)).toBe(true)
    for (const key of untouched) expect(isInvalid(client, key)).toBe(false)
  })

  it("an alerts or incidents event reads the connected model's alerts, incidents and timeline again, and no other model's", () => {
    for (const type of ['alerts', 'incidents']) {
      const own = [keys.incidentList('cancer', 'active', 50), keys.incidentList('cancer', 'resolved', 20), keys.alertList('cancer', 'open', 1), keys.events('cancer')]
      const untouched = [keys.incidentList('fraud', 'active', 50), keys.alertList('fraud', 'open', 1), keys.events('fraud'), keys.stats('cancer')]
      const client = testClient([...own, ...untouched].map((key) => [key, {}]))
      expect(applyLiveEvent(client, { ...incidents, type }, 'cancer')).toBe(true)
      for (const key of own) expect(isInvalid(client, key)).toBe(true)
      for (const key of untouched) expect(isInvalid(client, key)).toBe(false)
    }
  })

  it("a channel for no model yet applies everyone's messages and drops a model's", () => {
    const client = testClient([[keys.incidentList('fraud', 'active', 50), {}], [keys.drift('fraud'), {}]])
    applyLiveEvent(client, { type: 'stats', data: stats(10) }, null)
    applyLiveEvent(client, incidents, null)
    applyLiveEvent(client, drift, null)
    applyLiveEvent(client, { type: 'simulator', data: { scenario: 'sudden' } }, null)
    expect(client.getQueryData(keys.stats('fraud'))).toBeUndefined()
    expect(isInvalid(client, keys.incidentList('fraud', 'active', 50))).toBe(false)
    expect(isInvalid(client, keys.drift('fraud'))).toBe(false)
    expect(client.getQueryData(keys.simulator)).toEqual({ scenario: 'sudden' })
  })

  it("a models event reads the registry, every model's detail, timeline, comparisons, retrain jobs and served version again, nothing else", () => {
    const seeded: QueryKey[] = [
      keys.models, keys.registeredModel('cancer'), keys.events('cancer'), keys.events('fraud'), keys.comparisonOver('cancer', 60), keys.retrainJobs('fraud'), keys.servedVersion('cancer'),
      keys.drift('fraud'), keys.alertList('fraud', 'open', 5), keys.stats('cancer'),
    ]
    const client = testClient(seeded.map((key) => [key, {}]))
    const change = { id: 41, created_at: '2026-11-23T12:00:00Z', model: 'cancer', kind: 'promoted', version: 'v2', message: 'v2 promoted to champion' }
    expect(applyLiveEvent(client, { type: 'models', data: change }, 'fraud')).toBe(true)
    for (const key of seeded.slice(0, 7)) expect(isInvalid(client, key)).toBe(true)
    for (const key of seeded.slice(7)) expect(isInvalid(client, key)).toBe(false)
    expect(client.getQueryData(keys.modelChange)).toEqual(change)
  })

  it('a simulator event replaces the simulator state; unknown types are ignored', () => {
    const client = testClient()
    applyLiveEvent(client, { type: 'simulator', data: { scenario: 'sudden' } }, 'fraud')
    expect(client.getQueryData(keys.simulator)).toEqual({ scenario: 'sudden' })
    expect(applyLiveEvent(client, { type: 'bogus', data: 1 }, 'fraud')).toBe(false)
  })

  it('degraded marks the backend as without its database; recovered clears it and refetches what was missed', () => {
    const client = testClient([[keys.drift('fraud'), {}], [keys.alertList('fraud', 'open', 5), {}], [keys.drift('cancer'), {}]])
    applyLiveEvent(client, { type: 'degraded', data: { since: '2026-11-23T14:02:11Z', reason: 'database unavailable' } }, 'fraud')
    expect(client.getQueryData(keys.degraded)).toEqual({ since: '2026-11-23T14:02:11Z', reason: 'database unavailable' })
    expect(isInvalid(client, keys.drift('fraud'))).toBe(false)
    applyLiveEvent(client, { type: 'stats', data: stats(5) }, 'fraud') // not a reason to believe it is back
    expect(client.getQueryData(keys.degraded)).not.toBeNull()
    applyLiveEvent(client, { type: 'recovered', data: { since: '2026-11-23T14:02:11Z', at: '2026-11-23T14:03:00Z' } }, 'fraud')
    expect(client.getQueryData(keys.degraded)).toBeNull()
    expect(isInvalid(client, keys.drift('fraud'))).toBe(true)
    expect(isInvalid(client, keys.alertList('fraud', 'open', 5))).toBe(true)
    expect(isInvalid(client, keys.drift('cancer'))).toBe(false)
  })

  it('after a reconnect a degraded backend holds only until fresh stats or a new degraded arrive', () => {
    const client = testClient()
    const degraded = { type: 'degraded', data: { since: '2026-11-23T14:02:11Z', reason: 'database unavailable' } }
    applyLiveEvent(client, degraded, 'fraud')
    refreshAfterReconnect(client, 'fraud')
    applyLiveEvent(client, degraded, 'fraud') // the server says so again at once: still degraded
    applyLiveEvent(client, { type: 'stats', data: stats(5) }, 'fraud')
    expect(client.getQueryData(keys.degraded)).toMatchObject({ reason: 'database unavailable' })
    refreshAfterReconnect(client, 'fraud')
    applyLiveEvent(client, { type: 'stats', data: stats(6, { as_of: '2026-11-23T14:05:00Z' }) }, 'fraud')
    expect(client.getQueryData(keys.degraded)).toBeNull()
  })

  it("a reconnect refetches what the connected model's events may have changed", () => {
    const client = testClient([
      [keys.drift('fraud'), {}], [keys.alertList('fraud', 'open', 5), {}], [keys.statsHistory('fraud'), { points: [] }], [keys.events('fraud'), []],
      [keys.servedVersion('fraud'), {}], [keys.drift('cancer'), {}],
    ])
    refreshAfterReconnect(client, 'fraud')
    expect(isInvalid(client, keys.events('fraud'))).toBe(true) // model changes missed meanwhile
    expect(isInvalid(client, keys.drift('fraud'))).toBe(true)
    expect(isInvalid(client, keys.statsHistory('fraud'))).toBe(true) // the gap is reloaded from history
    expect(isInvalid(client, keys.alertList('fraud', 'open', 5))).toBe(true)
    expect(isInvalid(client, keys.drift('cancer'))).toBe(false)
  })

  it("leaving a model drops its live series and history and marks what the channel fed as stale, without reading it now", () => {
    const client = testClient([
      [keys.statsSeries('fraud'), [seriesPoint(stats())]], [keys.statsHistory('fraud'), { points: [] }], [keys.stats('fraud'), stats()],
      [keys.incidentList('fraud', 'active', 50), {}], [keys.statsSeries('cancer'), [seriesPoint(stats())]],
    ])
    leaveModel(client, 'fraud')
    expect(client.getQueryData(keys.statsSeries('fraud'))).toBeUndefined()
    expect(client.getQueryData(keys.statsHistory('fraud'))).toBeUndefined()
    expect(isInvalid(client, keys.stats('fraud'))).toBe(true)
    expect(isInvalid(client, keys.incidentList('fraud', 'active', 50))).toBe(true)
    expect(client.getQueryData(keys.statsSeries('cancer'))).toHaveLength(1)
  })
})

describe('refreshFailedReads', () => {
  it('reads again what failed while the API did not answer, nothing else', async () => {
    const client = testClient([[keys.stats('fraud'), stats()]])
    await client.prefetchQuery({ queryKey: keys.models, queryFn: () => Promise.reject(new Error('unreachable')) })
    refreshFailedReads(client)
    expect(isInvalid(client, keys.models)).toBe(true)
    expect(isInvalid(client, keys.stats('fraud'))).toBe(false)
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
