import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { modelEvent } from '../../../test/fixtures'
import { renderWithClient, stubApi } from '../../../test/render'
import type { PerformancePoint } from '../../../types/api'
import { ESTIMATED_COLOR, QualityChart, REALIZED_COLOR } from './quality-chart'

const at = (minutes: number) => new Date(Date.parse('2026-11-23T12:00:00Z') + minutes * 60_000).toISOString()
const point = (minutes: number, rocAuc: number, nRows = 500, band: [number, number] | null = null): PerformancePoint => ({
  computed_at: at(minutes), window_start: at(minutes - 5), window_end: at(minutes), roc_auc: rocAuc, pr_auc: null, precision: null,
  recall: null, f1: 0.4, accuracy: null, n_rows: nRows, label_coverage: 0.5, label_lag_s: 60, false_positives: 1, false_negatives: 2, cost_total: 10,
  window_reason: null, roc_auc_low: band?.[0] ?? null, roc_auc_high: band?.[1] ?? null,
})
/** The x of each point of an SVG path's "M x,y L x,y ..." data. */
const xsOf = (d: string | null | undefined) => [...(d ?? '').matchAll(/[ML]\s*([\d.]+)/g)].map((m) => Number(m[1]))

describe('QualityChart', () => {
  it('draws realized and estimated quality on a time axis and marks a rollback between two cycles', async () => {
    stubApi({
      'GET /api/v1/models/fraud/events': [
        modelEvent(2, 'rolled_back', at(7), { version: '20261123-114132-b86bf37f' }),
        modelEvent(1, 'promoted', at(-30)), // before the first cycle shown
      ],
    })
    const { container } = renderWithClient(<QualityChart model="fraud" realized={[point(0, 0.91), point(10, 0.84)]} estimated={[point(0, 0.9), point(5, 0.88), point(10, 0.86)]} />)
    expect(screen.getByRole('img', { name: 'Realized and estimated ROC-AUC and F1 over time' })).toBeInTheDocument()
    await waitFor(() => expect(screen.getAllByTestId('event-mark')).toHaveLength(1))
    expect(screen.getByTestId('event-mark')).toHaveAttribute('data-kind', 'rolled_back')
    expect(screen.getByTestId('event-mark-label')).toHaveTextContent('Rolled back to v…f37f')
    expect(container.querySelectorAll('.recharts-line')).toHaveLength(4)
    // 7 minutes into a 10-minute span: the line stands 70% of the way from the first cycle to the last.
    const xs = xsOf(container.querySelector('.recharts-line-curve')?.getAttribute('d'))
    const [start, end] = [xs[0], xs.at(-1) ?? NaN]
    expect(end).toBeGreaterThan(start)
    expect(Number(screen.getByTestId('event-mark').getAttribute('x1'))).toBeCloseTo(start + 0.7 * (end - start), 0)
  })

  it('draws the estimated band, gives realized and estimated their own colours, and keeps too-few-label points off the line', async () => {
    stubApi({ 'GET /api/v1/models/fraud/events': [] })
    const realized = [point(0, 0.93, 9000), point(5, 0.41, 33), point(10, 0.45, 48), point(15, 0.47, 720)]
    const estimated = [0, 5, 10, 15].map((m) => point(m, 0.92, 3000, [0.89, 0.95]))
    const { container } = renderWithClient(<QualityChart model="fraud" realized={realized} estimated={estimated} />)
    await waitFor(() => expect(container.querySelector('.recharts-area-area')).not.toBeNull())
    // The realized line joins only the points with enough labels: the first cycle's and the last one's.
    const lines = [...container.querySelectorAll('.recharts-line-curve')]
    const realizedLine = lines.find((l) => l.getAttribute('stroke') === REALIZED_COLOR && !l.getAttribute('stroke-dasharray'))
    const estimatedLine = lines.find((l) => l.getAttribute('stroke') === ESTIMATED_COLOR && !l.getAttribute('stroke-dasharray'))
    expect(realizedLine).toBeDefined()
    expect(estimatedLine).toBeDefined()
    expect(REALIZED_COLOR).not.toBe(ESTIMATED_COLOR)
    const estimatedXs = xsOf(estimatedLine?.getAttribute('d'))
    expect(xsOf(realizedLine?.getAttribute('d'))).toEqual([estimatedXs[0], estimatedXs[3]])
    // The two cycles from 33 and 48 labels are hollow dots, and the chart says why.
    expect(screen.getAllByTestId('few-labels-dot')).toHaveLength(2)
    expect(screen.getByTestId('few-labels-note')).toHaveTextContent('fewer than 100 labels')
    expect(screen.getByText('ROC-AUC realized, < 100 labels')).toBeInTheDocument()
    expect(screen.getByText('ROC-AUC estimated, 90% band')).toBeInTheDocument()
  })
})
