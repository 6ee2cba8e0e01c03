import { act, screen, within } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { applyLiveEvent } from '../../../lib/live/live-events'
import { keys } from '../../../lib/query-keys'
import { cancerEntry, cancerVersion, drift, fraudEntry, fraudVersion, incident, incidentsOut, stats } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import type { DriftRun, DriftSummary, Incident } from '../../../types/api'
import OverviewView from './overview-view'

const run: DriftRun = { ...(drift.run as DriftRun), id: 1, finished_at: new Date().toISOString() }
const summary: DriftSummary = {
  status: 'ok', run, dataset_drift: true, drift_share: 0.6,
  drifted_features: ['amount', 'hour_of_day'], n_features: 13, rule: 'Dataset drift when at least 50% of features drift.',
  prediction_drift: { psi: 0.3, statistic: 0.2, p_value: 1e-9, drifted: true, severity: 'significant' },
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString()

function setup(seed: { summary?: DriftSummary; active?: Incident[]; resolved?: Incident[] } = {}) {
  const { active = [incident(2, 'open', { opened_at: ago(125) })], resolved = [incident(1, 'resolved')] } = seed
  const client = testClient([
    [keys.models, [fraudEntry]],
    [keys.stats('fraud'), stats(1234)],
    [keys.servedVersion('fraud'), fraudVersion],
    [keys.driftSummary('fraud'), seed.summary ?? summary],
    [keys.incidentList('fraud', 'active', 50), incidentsOut(active, { resolved: resolved.length })],
    [keys.incidentList('fraud', 'resolved', 1), incidentsOut(resolved, { open: active.length })],
  ])
  stubApi({})
  return renderWithClient(<OverviewView model="fraud" />, { client })
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
        applyLiveEvent(client, { type: 'stats', data: stats(1300) }, 'fraud')
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

  it('shows the model card and the dataset drift status', () => {
    setup()
    expect(screen.getByText(fraudVersion.version)).toBeInTheDocument()
    expect(screen.getByText('xgboost-json')).toBeInTheDocument()
    expect(screen.getByText('0.916')).toBeInTheDocument()
    expect(screen.getByText('3 features')).toBeInTheDocument()
    const status = screen.getByTestId('dataset-drift-status')
    expect(status).toHaveAttribute('data-drift', 'true')
    expect(within(status).getByText('Dataset drift detected')).toBeInTheDocument()
    expect(within(status).getByText('2 of 13 features drifted (60%)')).toBeInTheDocument()
  })

  it('shows the current incident: title, severity, since when, how fast it was detected, its features', () => {
    setup()
    const card = screen.getByTestId('overview-incident')
    expect(card).toHaveAttribute('data-status', 'open')
    expect(card).toHaveAttribute('data-severity', 'critical')
    expect(within(card).getByText('Input drift: 3 of 13 features shifted (#2)')).toBeInTheDocument()
    expect(within(card).getByText('Critical')).toBeInTheDocument()
    expect(card).toHaveTextContent('since 2 minutes ago')
    expect(card).toHaveTextContent(/Open for 2 min [45] s/) // the clock reads whole seconds
    expect(card).toHaveTextContent('detected 40 s after the traffic changed')
    const features = within(card).getAllByTestId('incident-feature')
    expect(features.map((f) => f.getAttribute('href'))).toEqual(['#drift?feature=amount', '#drift?feature=hour_of_day', '#drift?feature=distance_from_home_km'])
    expect(screen.getByText('1 open · 0 acknowledged · 1 resolved')).toBeInTheDocument()
  })

  it('puts an incident nobody acknowledged before an acknowledged one, and says there are more', () => {
    setup({ active: [incident(5, 'acknowledged'), incident(4, 'open'), incident(3, 'open')] })
    const card = screen.getByTestId('overview-incident')
    expect(card).toHaveAttribute('data-status', 'open')
    expect(card).toHaveTextContent('(#4)')
    expect(card).toHaveTextContent('and 2 more current incidents')
  })

  it('when calm, shows the last incident: when it ended, how long it lasted', () => {
    setup({ active: [], resolved: [incident(1, 'resolved', { resolved_at: ago(180), duration_s: 360 })] })
    const card = screen.getByTestId('overview-incident')
    expect(card).toHaveAttribute('data-status', 'resolved')
    expect(card).toHaveTextContent('Resolved 3 minutes ago after 6 min')
    expect(card).toHaveTextContent('Input drift: 3 of 13 features shifted (#1)')
  })

  it('says all is quiet before any incident', () => {
    setup({ active: [], resolved: [] })
    const card = screen.getByTestId('overview-incident')
    expect(card).toHaveAttribute('data-status', 'none')
    expect(card).toHaveTextContent('All quiet — no incidents yet')
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

describe('OverviewView of another model', () => {
  it("reads its stats, drift summary, incidents and served version from its own routes, and nothing of another model's", async () => {
    const calls = stubApi({
      'GET /api/v1/models': [fraudEntry, cancerEntry],
      'GET /api/v1/models/cancer/stats': stats(321, { model_version: cancerVersion.version }),
      'GET /api/v1/models/cancer/drift/summary': summary,
      'GET /api/v1/models/cancer/incidents': incidentsOut([incident(9, 'open', { model: 'cancer', title: 'Input drift: 1 of 4 features shifted' })]),
      'GET /api/v1/models/cancer/model': cancerVersion,
    })
    renderWithClient(<OverviewView model="cancer" />)
    expect(await screen.findByTestId('prediction-counter')).toHaveAttribute('data-value', '321')
    expect(screen.getByText('Flagged positive')).toBeInTheDocument()
    expect(await screen.findByText(cancerVersion.version)).toBeInTheDocument()
    expect(screen.getByText('Reference ROC-AUC')).toBeInTheDocument()
    expect(screen.getByText('4 features')).toBeInTheDocument()
    expect(screen.getByText('Mean radius')).toBeInTheDocument()
    expect(await screen.findByText(cancerEntry.description)).toBeInTheDocument()
    expect(await screen.findByTestId('dataset-drift-status')).toHaveAttribute('data-drift', 'true')
    expect(await screen.findByText('Input drift: 1 of 4 features shifted')).toBeInTheDocument()
    const paths = calls.map((c) => c.path)
    for (const unscoped of ['/api/v1/stats', '/api/v1/model', '/api/v1/drift/summary', '/api/v1/incidents', '/api/v1/stats/history']) {
      expect(paths).not.toContain(unscoped)
    }
    expect(paths.filter((p) => p.startsWith('/api/v1/models/fraud'))).toEqual([])
  })
})
