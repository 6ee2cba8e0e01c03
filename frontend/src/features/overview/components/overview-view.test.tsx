import { act, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { applyLiveEvent } from '../../../lib/live/live-events'
import { keys } from '../../../lib/queries'
import { alert, cancerDetail, drift, model, stats, visit } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import type { DriftRun, DriftSummary } from '../../../types/api'
import OverviewView from './overview-view'

const run: DriftRun = { ...(drift.run as DriftRun), id: 1, finished_at: new Date().toISOString() }
const summary: DriftSummary = {
  status: 'ok', run, dataset_drift: true, drift_share: 0.6,
  drifted_features: ['amount', 'hour_of_day'], n_features: 13, rule: 'Dataset drift when at least 50% of features drift.',
  prediction_drift: { psi: 0.3, statistic: 0.2, p_value: 1e-9, drifted: true, severity: 'significant' },
}

function setup(seed: { summary?: DriftSummary } = {}) {
  const client = testClient([
    [keys.stats, stats(1234)],
    [keys.model, model],
    [keys.driftSummary, seed.summary ?? summary],
    [keys.alerts('open', 4), { items: [alert(1)], counts: { open: 1, acknowledged: 0, resolved: 0 } }],
  ])
  stubApi({})
  return renderWithClient(<OverviewView />, { client })
}

describe('OverviewView', () => {
  it('shows live traffic figures formatted for people', () => {
    setup()
    expect(screen.getByTestId('prediction-counter')).toHaveTextContent('1,234')
    expect(screen.getByTestId('throughput')).toHaveTextContent('10.0/s')
    expect(screen.getByText('3.2 ms')).toBeInTheDocument()
    expect(screen.getByText('3.10%')).toBeInTheDocument()
  })

  it('counts up when a live stats message arrives', () => {
    vi.useFakeTimers() // the count-up runs on requestAnimationFrame: step it, never wait for it
    try {
      const { client } = setup()
      const counter = screen.getByTestId('prediction-counter')
      act(() => {
        applyLiveEvent(client, { type: 'stats', data: stats(1300) })
        vi.advanceTimersByTime(0) // TanStack Query notifies its observers on a zero timeout
      })
      expect(counter).toHaveAttribute('data-value', '1300')
      expect(counter).toHaveTextContent('1,234')
      act(() => vi.advanceTimersByTime(300))
      const midway = Number(counter.textContent.replace(',', ''))
      expect(midway).toBeGreaterThan(1234)
      expect(midway).toBeLessThan(1300)
      act(() => vi.advanceTimersByTime(1000))
      expect(counter).toHaveTextContent('1,300')
    } finally {
      vi.useRealTimers()
    }
  })

  it('shows the model card, the dataset drift status and the open alerts', () => {
    setup()
    expect(screen.getByText(model.version)).toBeInTheDocument()
    expect(screen.getByText('0.916')).toBeInTheDocument()
    expect(screen.getByText('3 features')).toBeInTheDocument()
    const status = screen.getByTestId('dataset-drift-status')
    expect(status).toHaveAttribute('data-drift', 'true')
    expect(within(status).getByText('Dataset drift detected')).toBeInTheDocument()
    expect(within(status).getByText('2 of 13 features drifted (60%)')).toBeInTheDocument()
    expect(screen.getByText(/PSI 0.61 above 0.25 on amount/)).toBeInTheDocument()
  })

  it('does not call a window with too few predictions drift-free', () => {
    setup({ summary: { ...summary, status: 'insufficient_data', run: { ...run, n_rows: 42 }, dataset_drift: null,
      drift_share: null, drifted_features: [], n_features: 0, prediction_drift: null } })
    const status = screen.getByTestId('dataset-drift-status')
    expect(within(status).getByText('Not judged yet')).toBeInTheDocument()
    expect(within(status).queryByText('No dataset drift')).not.toBeInTheDocument()
    expect(within(status).queryByText(/features drifted/)).not.toBeInTheDocument()
    expect(within(status).getByText(/held only 42 predictions/)).toBeInTheDocument()
  })

  it('explains the wait before the first drift cycle', () => {
    setup({ summary: { status: 'no_data', run: null, dataset_drift: null, drift_share: null, drifted_features: [], n_features: 13, rule: null, prediction_drift: null } })
    expect(screen.getByText(/Waiting for the first drift cycle — about 30 s/)).toBeInTheDocument()
  })
})

describe('OverviewView of a registered model', () => {
  it('reads its stats, drift summary and alerts from the scoped endpoints and its card from the registry', async () => {
    visit('/?model=cancer#/overview')
    const calls = stubApi({
      'GET /api/v1/models/cancer/stats': stats(321, { model_version: cancerDetail.latest!.version }),
      'GET /api/v1/models/cancer/drift/summary': summary,
      'GET /api/v1/models/cancer/alerts': { items: [alert(9, 'open', { feature: 'mean radius' })], counts: { open: 1, acknowledged: 0, resolved: 0 } },
      'GET /api/v1/models/cancer': cancerDetail,
    })
    renderWithClient(<OverviewView />)
    expect(await screen.findByTestId('prediction-counter')).toHaveAttribute('data-value', '321')
    expect(screen.getByText('All time, refreshed after every monitoring cycle')).toBeInTheDocument()
    expect(screen.getByText('Flagged positive')).toBeInTheDocument()
    expect(await screen.findByText(cancerDetail.latest!.version)).toBeInTheDocument()
    expect(screen.getByText('Reference ROC-AUC')).toBeInTheDocument()
    expect(screen.getByText('4 features')).toBeInTheDocument()
    expect(screen.getByText('Mean radius')).toBeInTheDocument()
    expect(await screen.findByTestId('dataset-drift-status')).toHaveAttribute('data-drift', 'true')
    expect(screen.queryByRole('img', { name: 'Latency percentiles over time' })).toBeNull() // the live series is the fraud model's
    const paths = calls.map((c) => c.path)
    expect(paths).not.toContain('/api/v1/stats')
    expect(paths).not.toContain('/api/v1/model')
    expect(paths).not.toContain('/api/v1/drift/summary')
  })
})
