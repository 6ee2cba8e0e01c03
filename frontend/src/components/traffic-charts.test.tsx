import { act, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { applyLiveEvent } from '../lib/live/live-events'
import { keys } from '../lib/query-keys'
import { seriesPoint } from '../lib/series'
import { cancerEntry, fraudEntry, modelEvent, stats } from '../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../test/render'
import { TrafficCharts } from './traffic-charts'

const point = (i: number) => ({ t: Date.parse('2026-11-23T12:00:00Z') + i * 1000, total: i * 10, perSecond: 10 + i, p50: 3, p95: 8, p99: 12, positiveRate: 0.03 })

describe('TrafficCharts', () => {
  it('waits for a few live points before drawing', () => {
    renderWithClient(<TrafficCharts model="fraud" />, { client: testClient([[keys.statsSeries('fraud'), [point(0)]]]) })
    expect(screen.getAllByText('Collecting live points')).toHaveLength(2)
  })

  it('draws latency percentiles and throughput from the rolling series', async () => {
    const { container } = renderWithClient(<TrafficCharts model="fraud" />, { client: testClient([[keys.statsSeries('fraud'), [0, 1, 2, 3].map(point)]]) })
    expect(screen.getByRole('img', { name: 'Latency percentiles over time' })).toBeInTheDocument()
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(1)
    expect(screen.getByText('p95')).toBeInTheDocument()
  })

  it("marks the model's changes within the charts' span, labelled, read from its own timeline", async () => {
    const at = (seconds: number) => new Date(Date.parse('2026-11-23T12:00:00Z') + seconds * 1000).toISOString()
    const calls = stubApi({
      'GET /api/v1/models/fraud/events': [
        modelEvent(5, 'canary', at(3600), { details: { share: 0.2 } }), // after the span
        modelEvent(4, 'retrain_registered', at(2.5), { version: '20261123-120002-0f0f9a9a' }),
        modelEvent(3, 'gate', at(2), {}), // a gate decision: no mark
        modelEvent(1, 'promoted', at(1), { version: '20261123-114132-b86bf37f' }),
        modelEvent(0, 'shadow', at(-60)), // before the span
      ],
    })
    const { container } = renderWithClient(<TrafficCharts model="fraud" />, { client: testClient([[keys.statsSeries('fraud'), [0, 1, 2, 3].map(point)]]) })
    await waitFor(() => expect(screen.getAllByTestId('event-mark')).toHaveLength(4)) // two marks on each of the two charts
    const latency = screen.getByRole('img', { name: 'Latency percentiles over time' })
    const marks = [...latency.querySelectorAll('[data-testid="event-mark"]')]
    expect(marks.map((m) => [m.getAttribute('data-kind'), m.getAttribute('data-version')])).toEqual([
      ['promoted', '20261123-114132-b86bf37f'],
      ['retrain_registered', '20261123-120002-0f0f9a9a'],
    ])
    expect([...latency.querySelectorAll('[data-testid="event-mark-label"]')].map((t) => t.lastChild?.textContent)).toEqual(['Promoted v…f37f', 'Retrained v…9a9a'])
    // Each line stands at its own time: the promotion a third of the way, the retrain five sixths.
    const [promoted, retrained] = marks.map((m) => Number(m.getAttribute('x1')))
    expect(promoted).toBeLessThan(retrained)
    expect(container.querySelectorAll('.recharts-line')).toHaveLength(3)
    expect(calls.find((c) => c.path === '/api/v1/models/fraud/events')?.query).toEqual({ limit: '200' })
  })

  it('draws the last minutes from the history endpoint on open, even after live points, then continues them live', async () => {
    const at = (i: number) => new Date(Date.parse('2026-11-23T12:00:00Z') + i * 10_000).toISOString()
    const calls = stubApi({
      'GET /api/v1/models/fraud/stats/history': {
        window_seconds: 60, step_seconds: 10,
        points: [0, 1, 2, 3].map((i) => ({ as_of: at(i), last_minute: stats(0).last_minute })),
      },
    })
    // A live point may arrive before the charts mount: the history still loads.
    const client = testClient([[keys.models, [fraudEntry, cancerEntry]], [keys.statsSeries('fraud'), [seriesPoint(stats(0, { as_of: at(1) }))]]])
    const { container } = renderWithClient(<TrafficCharts model="fraud" />, { client })
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(calls.find((c) => c.path === '/api/v1/models/fraud/stats/history')?.query).toEqual({ minutes: '10', step_seconds: '10' })
    act(() => {
      applyLiveEvent(client, { type: 'stats', data: stats(1, { as_of: at(2) }) }, 'fraud') // already covered
      applyLiveEvent(client, { type: 'stats', data: stats(2, { as_of: at(4) }) }, 'fraud')
    })
    await waitFor(() => expect(container.querySelectorAll('.recharts-line-curve')[0].getAttribute('d')?.split('L')).toHaveLength(5))
  })

  it("loads another model's own history, never the default model's", async () => {
    const calls = stubApi({ 'GET /api/v1/models/cancer/stats/history': { window_seconds: 60, step_seconds: 10, points: [] } })
    const client = testClient([[keys.models, [fraudEntry, cancerEntry]], [keys.statsSeries('cancer'), [0, 1, 2, 3].map(point)]])
    const { container } = renderWithClient(<TrafficCharts model="cancer" />, { client })
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    await waitFor(() => expect(calls.map((c) => c.path)).toContain('/api/v1/models/cancer/stats/history'))
    expect(calls.map((c) => c.path).filter((path) => path.includes('fraud'))).toEqual([])
  })
})
