import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { keys } from '../lib/queries'
import { renderWithClient, testClient } from '../test/render'
import { TrafficCharts } from './traffic-charts'

const point = (i) => ({ t: Date.parse('2026-11-23T12:00:00Z') + i * 1000, total: i * 10, perSecond: 10 + i, p50: 3, p95: 8, p99: 12, fraudRate: 0.03 })

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
})
