import { screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { modelEvent } from '../../../test/fixtures'
import { renderWithClient, stubApi } from '../../../test/render'
import type { PerformancePoint } from '../../../types/api'
import { QualityChart } from './quality-chart'

const at = (minutes: number) => new Date(Date.parse('2026-11-23T12:00:00Z') + minutes * 60_000).toISOString()
const point = (minutes: number, rocAuc: number): PerformancePoint => ({
  computed_at: at(minutes), window_start: at(minutes - 5), window_end: at(minutes), roc_auc: rocAuc, pr_auc: null, precision: null,
  recall: null, f1: 0.4, accuracy: null, n_rows: 500, label_coverage: 0.5, label_lag_s: 60, false_positives: 1, false_negatives: 2, cost_total: 10,
})

describe('QualityChart', () => {
  it('draws realized and estimated quality on a time axis and marks a rollback between two cycles', async () => {
    stubApi({
      'GET /api/v1/events': [
        modelEvent(2, 'rolled_back', at(7), { version: '20261123-114132-b86bf37f' }),
        modelEvent(1, 'promoted', at(-30)), // before the first cycle shown
      ],
    })
    const { container } = renderWithClient(<QualityChart realized={[point(0, 0.91), point(10, 0.84)]} estimated={[point(0, 0.9), point(5, 0.88), point(10, 0.86)]} />)
    expect(screen.getByRole('img', { name: 'Realized and estimated ROC-AUC and F1 over time' })).toBeInTheDocument()
    await waitFor(() => expect(screen.getAllByTestId('event-mark')).toHaveLength(1))
    expect(screen.getByTestId('event-mark')).toHaveAttribute('data-kind', 'rolled_back')
    expect(screen.getByTestId('event-mark-label')).toHaveTextContent('Rolled back to v…f37f')
    expect(container.querySelectorAll('.recharts-line')).toHaveLength(4)
    // 7 minutes into a 10-minute span: the line stands 70% of the way from the first cycle to the last.
    const realized = container.querySelector('.recharts-line-curve')?.getAttribute('d') ?? ''
    const xs = [...realized.matchAll(/[ML]\s*([\d.]+)/g)].map((m) => Number(m[1]))
    const [start, end] = [xs[0], xs.at(-1) ?? NaN]
    expect(end).toBeGreaterThan(start)
    expect(Number(screen.getByTestId('event-mark').getAttribute('x1'))).toBeCloseTo(start + 0.7 * (end - start), 0)
  })
})
