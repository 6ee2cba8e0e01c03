import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { PerformancePoint } from '../../../types/api'
import { MetricsTable } from './metrics-table'

const point = (n_rows: number): PerformancePoint =>
  ({
    computed_at: '2026-12-01T22:00:00Z',
    window_start: '2026-12-01T21:30:00Z',
    window_end: '2026-12-01T22:00:00Z',
    n_rows,
    roc_auc: 0.9,
    precision: 0,
    f1: 0,
  }) as unknown as PerformancePoint

describe('MetricsTable', () => {
  it('says when realized figures rest on too few labels, and explains CBPE', () => {
    render(<MetricsTable realized={point(33)} estimated={point(3000)} reference={undefined} />)
    expect(screen.getByTestId('few-labels')).toHaveTextContent('from only 33 labels: too few to judge')
    expect(screen.getByText('CBPE')).toHaveAttribute('title', expect.stringContaining('calibrated'))
  })

  it('shows realized figures plainly once there are enough labels', () => {
    render(<MetricsTable realized={point(2400)} estimated={point(3000)} reference={undefined} />)
    expect(screen.queryByTestId('few-labels')).toBeNull()
    expect(screen.getByText('from delayed labels')).toBeInTheDocument()
  })

  it("gives the estimated ROC-AUC's band beneath it, and none when the cycle had none", () => {
    const estimated = { ...point(3000), roc_auc_low: 0.884, roc_auc_high: 0.931 }
    const { rerender } = render(<MetricsTable realized={point(2400)} estimated={estimated} reference={undefined} />)
    expect(screen.getByTestId('estimated-band')).toHaveTextContent('90%: 0.884–0.931')
    rerender(<MetricsTable realized={point(2400)} estimated={point(3000)} reference={undefined} />)
    expect(screen.queryByTestId('estimated-band')).toBeNull()
  })
})
