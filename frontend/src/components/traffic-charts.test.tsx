import { act, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { applyLiveEvent } from '../lib/live/live-events'
import { keys } from '../lib/queries'
import { seriesPoint } from '../lib/series'
import { stats } from '../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../test/render'
import { TrafficCharts } from './traffic-charts'

const point = (i: number) => ({ t: Date.parse('2026-11-23T12:00:00Z') + i * 1000, total: i * 10, perSecond: 10 + i, p50: 3, p95: 8, p99: 12, fraudRate: 0.03 })

describe('TrafficCharts', () => {
  it('waits for a few live points before drawing', () => {
    renderWithClient(<TrafficCharts />, { client: testClient([[keys.statsSeries, [point(0)]]]) })
    expect(screen.getAllByText('Collecting live points')).toHaveLength(2)
  })

  it('draws latency percentiles and throughput from the rolling series', async () => {
    const { container } = renderWithClient(<TrafficCharts />, { client: testClient([[keys.statsSeries, [0, 1, 2, 3].map(point)]]) })
    expect(screen.getByRole('img', { name: 'Latency percentiles over time' })).toBeInTheDocument()
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(container.querySelectorAll('.recharts-area')).toHaveLength(1)
    expect(screen.getByText('p95')).toBeInTheDocument()
  })

  it('draws the last minutes from the history endpoint on open, even after live points, then continues them live', async () => {
    const at = (i: number) => new Date(Date.parse('2026-11-23T12:00:00Z') + i * 10_000).toISOString()
    const calls = stubApi({
      'GET /api/v1/stats/history': {
        window_seconds: 60, step_seconds: 10,
        points: [0, 1, 2, 3].map((i) => ({ as_of: at(i), last_minute: stats(0).last_minute })),
      },
    })
    // A live point may arrive before the charts mount: the history still loads.
    const client = testClient([[keys.statsSeries, [seriesPoint(stats(0, { as_of: at(1) }))]]])
    const { container } = renderWithClient(<TrafficCharts />, { client })
    await waitFor(() => expect(container.querySelectorAll('.recharts-line')).toHaveLength(3))
    expect(calls.find((c) => c.path === '/api/v1/stats/history')?.query).toEqual({ minutes: '10', step_seconds: '10' })
    act(() => {
      applyLiveEvent(client, { type: 'stats', data: stats(1, { as_of: at(2) }) }) // already covered
      applyLiveEvent(client, { type: 'stats', data: stats(2, { as_of: at(4) }) })
    })
    await waitFor(() => expect(container.querySelectorAll('.recharts-line-curve')[0].getAttribute('d')?.split('L')).toHaveLength(5))
  })
})
