import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { cancerEntry, cancerVersion, fraudEntry } from '../../../test/fixtures'
import { renderWithClient, stubApi } from '../../../test/render'
import type { Performance, PerformancePoint } from '../../../types/api'
import PerformanceView from './performance-view'

const point: PerformancePoint = {
  computed_at: '2026-12-01T22:00:00Z', window_start: '2026-12-01T21:30:00Z', window_end: '2026-12-01T22:00:00Z', roc_auc: 0.93, pr_auc: null,
  precision: 0.8, recall: 0.7, f1: 0.75, accuracy: null, n_rows: 1200, label_coverage: 0.6, label_lag_s: 90, false_positives: 4, false_negatives: 3,
  cost_total: 120, window_reason: null, roc_auc_low: null, roc_auc_high: null,
}
const performance: Performance = { realized: [point], estimated: [point], latest: { realized: point, estimated: point }, costs: { false_positive: 10, false_negative: 100 } }

describe('PerformanceView', () => {
  it("reads a model's quality from its own route, beside the served version's reference figures", async () => {
    const calls = stubApi({
      'GET /api/v1/models': [fraudEntry, cancerEntry],
      'GET /api/v1/models/cancer/performance': performance,
      'GET /api/v1/models/cancer/model': cancerVersion,
    })
    renderWithClient(<PerformanceView model="cancer" />)
    const table = await screen.findByTestId('performance-table')
    expect(within(table).getByText('Reference')).toBeInTheDocument()
    const rocAuc = within(table).getByText('ROC-AUC').closest('tr')
    await waitFor(() => expect(rocAuc).toHaveTextContent(/1\.000$/)) // the served version's ROC-AUC 0.9997 on its reference
    expect(screen.getByText('60%')).toBeInTheDocument() // label coverage
    const paths = calls.map((c) => c.path)
    expect(paths).not.toContain('/api/v1/performance')
    expect(paths).not.toContain('/api/v1/model')
  })

  it('waits for the first cycle', async () => {
    stubApi({ 'GET /api/v1/models/cancer/performance': { ...performance, realized: [], estimated: [], latest: { realized: null, estimated: null } } })
    renderWithClient(<PerformanceView model="cancer" />)
    expect(await screen.findByText(/Waiting for the first monitoring cycle/)).toBeInTheDocument()
  })
})
