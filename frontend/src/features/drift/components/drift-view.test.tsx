import { act, fireEvent, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { SEVERITY_COLORS } from '../../../components/ui/badge'
import { formatClock } from '../../../lib/format'
import { cancerEntry, drift, fraudEntry, fraudVersion, noDrift, simulator, visit } from '../../../test/fixtures'
import { keys } from '../../../lib/query-keys'
import { renderWithClient, stubApi, testClient } from '../../../test/render'
import DriftView from './drift-view'

const history = (feature: string) => ({
  feature,
  points: [
    { run_id: 1, computed_at: '2026-11-23T11:59:00+00:00', psi: 0.02, statistic: 0.01, p_value: 0.9, drifted: false, severity: 'none' },
    { run_id: 2, computed_at: '2026-11-23T12:00:00+00:00', psi: 0.61, statistic: 0.3, p_value: 1e-9, drifted: true, severity: 'significant' },
  ],
})

describe('DriftView', () => {
  it('explains that the first cycle has not landed yet', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': noDrift })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByText('Waiting for the first drift cycle — about 30 s')).toBeInTheDocument()
  })

  it('lists each feature with its test, statistic, p-value and severity', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': drift, 'GET /api/v1/models/fraud/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView model="fraud" />)
    await screen.findByText('Statistical tests')
    const amount = container.querySelector('tr[data-feature="amount"]')
    expect(amount).toHaveAttribute('data-severity', 'significant')
    expect(amount).toHaveTextContent('0.610')
    expect(amount).toHaveTextContent('KS')
    expect(amount).toHaveTextContent('< 1e-10')
    expect(container.querySelector('tr[data-feature="merchant_category"]')).toHaveTextContent('χ²')
    expect(screen.getByRole('img', { name: 'Population stability index per feature' })).toBeInTheDocument()
    expect(screen.getByTestId('score-drift')).toHaveTextContent('Prediction drift (fraud probability)')
  })

  it('opens the most drifted feature, and another one on click, with its history', async () => {
    const calls = stubApi({ 'GET /api/v1/models/fraud/drift': drift, 'GET /api/v1/models/fraud/drift/history': ({ query }) => [200, history(query.feature)] })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    await userEvent.click(screen.getByRole('button', { name: 'Merchant category' }))
    expect(screen.getByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current')
    expect(screen.getByRole('button', { name: 'Merchant category' })).toHaveAttribute('aria-pressed', 'true')
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/models/fraud/drift/history').map((c) => c.query.feature)).toEqual(['amount', 'merchant_category']),
    )
    expect(await screen.findByRole('img', { name: /PSI and test statistic of Merchant category/ })).toBeInTheDocument()
  })

  it('selects a feature by clicking its PSI bar', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': drift, 'GET /api/v1/models/fraud/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView model="fraud" />)
    await screen.findByTestId('feature-detail')
    const bars = () => [...container.querySelectorAll('.recharts-bar-rectangle path')].slice(0, 2)
    await waitFor(() => expect(bars()).toHaveLength(2))
    expect(bars().map((b) => b.getAttribute('fill'))).toEqual(['#f43f5e', '#34d399'])
    fireEvent.click(bars()[1])
    expect(screen.getByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current')
  })

  it('shows the API error when drift cannot load', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': () => [500, { detail: 'database unavailable' }] })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByRole('alert')).toHaveTextContent('database unavailable')
  })

  it("reads another model's drift from its own routes", async () => {
    const score = { ...drift.score!, feature: 'score' }
    const calls = stubApi({
      'GET /api/v1/models/cancer/drift': { ...drift, score },
      'GET /api/v1/models/cancer/drift/history': ({ query }) => [200, history(query.feature)],
    })
    renderWithClient(<DriftView model="cancer" />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    expect(screen.getByTestId('score-drift')).toHaveTextContent('Prediction drift (score)')
    await waitFor(() => expect(calls.map((c) => [c.path, c.query.feature ?? null])).toContainEqual(['/api/v1/models/cancer/drift/history', 'amount']))
    expect(calls.map((c) => c.path)).not.toContain('/api/v1/drift')
    expect(calls.map((c) => c.path).filter((p) => p.startsWith('/api/v1/models/fraud'))).toEqual([])
  })
})

describe('DriftView ordering', () => {
  const [amount, merchant] = drift.features
  const shifted = {
    ...drift,
    features: [
      { ...merchant, feature: 'day_of_week' },
      { ...amount, feature: 'hour_of_day', psi: 0.08, severity: 'moderate' as const },
      amount,
    ],
  }

  it('lists the most drifted first, opens it, and keeps schema order one click away', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': shifted, 'GET /api/v1/models/fraud/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView model="fraud" />)
    await screen.findByText('Statistical tests')
    const order = () => [...container.querySelectorAll('tr[data-feature]')].map((row) => row.getAttribute('data-feature'))
    expect(order()).toEqual(['amount', 'hour_of_day', 'day_of_week'])
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    await userEvent.click(screen.getByTestId('feature-order'))
    expect(order()).toEqual(['day_of_week', 'hour_of_day', 'amount'])
  })
})

const withHistory = { 'GET /api/v1/models/fraud/drift/history': ({ query }: { query: Record<string, string> }) => [200, history(query.feature)] as [number, unknown] }
const incidents = (...items: object[]) => ({ incidents: items, counts: { open: items.length, acknowledged: 0, resolved: 0 } })
const driftIncident = {
  id: 4, model: 'fraud', cause: 'drift', status: 'open', severity: 'critical', title: 'Drift on 1 feature', summary: '',
  opened_at: '2026-11-23T11:59:40+00:00', started_at: '2026-11-23T11:59:00+00:00', detection_s: 40, resolved_at: null,
  features: [{ name: 'amount', label: 'Amount (USD)', severity: 'significant', peak_psi: 0.61, current_psi: 0.61, drifted: true }],
}

describe('DriftView verdict', () => {
  it('leads with the dataset verdict dated by the open drift incident, and states the dataset rule', async () => {
    const calls = stubApi({ 'GET /api/v1/models/fraud/drift': drift, 'GET /api/v1/models/fraud/incidents': incidents(driftIncident), ...withHistory })
    renderWithClient(<DriftView model="fraud" />)
    const verdict = await screen.findByTestId('drift-verdict')
    await waitFor(() => expect(screen.getByTestId('verdict-text')).toHaveTextContent(`Drifted: 1 of 2 features · since ${formatClock(driftIncident.started_at)} · detected in 40 s`))
    expect(verdict).toHaveAttribute('data-source', 'incident')
    expect(screen.getByTestId('dataset-rule')).toHaveTextContent('the dataset drifts when at least 50% of its features do (1 of 2); now 50%')
    expect(screen.getByTestId('dataset-rule')).toHaveTextContent('A feature drifts when its test rejects at p < 0.05')
    expect(calls.find((c) => c.path === '/api/v1/models/fraud/incidents')?.query).toEqual({ status: 'active', limit: '50' })
  })

  it('reads the drift incident even when a performance incident is newer', async () => {
    const performance = { ...driftIncident, id: 5, cause: 'performance', title: 'Quality dropped', opened_at: '2026-11-23T12:03:00+00:00', started_at: null, detection_s: null, features: [] }
    stubApi({ 'GET /api/v1/models/fraud/drift': drift, 'GET /api/v1/models/fraud/incidents': incidents(performance, driftIncident), ...withHistory })
    renderWithClient(<DriftView model="fraud" />)
    await waitFor(() => expect(screen.getByTestId('drift-verdict')).toHaveAttribute('data-source', 'incident'))
    expect(screen.getByTestId('verdict-text')).toHaveTextContent('detected in 40 s')
  })

  it('without an incident API dates the drift from the top feature’s history and the scenario switch', async () => {
    stubApi({
      'GET /api/v1/models': [fraudEntry], // the simulator makes the default model's traffic
      'GET /api/v1/models/fraud/drift': drift,
      'GET /api/v1/simulator': { ...simulator('sudden'), updated_at: '2026-11-23T11:59:20+00:00' },
      ...withHistory,
    })
    renderWithClient(<DriftView model="fraud" />)
    await waitFor(() =>
      expect(screen.getByTestId('verdict-text')).toHaveTextContent(`Drifted: 1 of 2 features · since ${formatClock('2026-11-23T11:59:20+00:00')} · detected in 40 s`),
    )
    expect(screen.getByTestId('drift-verdict')).toHaveAttribute('data-source', 'history')
  })

  it("does not date another model's drift by the simulator's switch: the simulator makes the default model's traffic", async () => {
    stubApi({ 'GET /api/v1/models/cancer/drift': drift, 'GET /api/v1/models/cancer/drift/history': ({ query }) => [200, history(query.feature)] })
    const client = testClient([
      [keys.models, [fraudEntry, cancerEntry]],
      [keys.simulator, { ...simulator('sudden'), updated_at: '2026-11-23T11:59:20+00:00' }],
      [keys.incidentList('cancer', 'active', 50), incidents()],
    ])
    renderWithClient(<DriftView model="cancer" />, { client })
    await waitFor(() => expect(screen.getByTestId('drift-verdict')).toHaveAttribute('data-source', 'history'))
    expect(screen.getByTestId('verdict-text')).toHaveTextContent(/^Drifted: 1 of 2 features · since \S+$/)
    expect(screen.getByTestId('verdict-text')).toHaveTextContent(formatClock('2026-11-23T12:00:00+00:00'))
  })

  it('says "No drift: 0 of N features" when calm', async () => {
    const calm = { ...drift, features: drift.features.map((f) => ({ ...f, drifted: false, severity: 'none' as const, psi_severity: 'none' as const })) }
    stubApi({ 'GET /api/v1/models/fraud/drift': calm, 'GET /api/v1/models/fraud/incidents': incidents(), ...withHistory })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByTestId('verdict-text')).toHaveTextContent(/^No drift: 0 of 2 features$/)
    expect(screen.getByTestId('drift-verdict')).toHaveAttribute('data-drifted', 'false')
  })
})

describe('DriftView colour rule', () => {
  const [amount, merchant] = drift.features
  // A shift the χ² test confirms while PSI alone stays in its "none" band: the verdict is moderate.
  const confirmed = { ...merchant, psi: 0.06, psi_severity: 'none' as const, severity: 'moderate' as const, drifted: true }
  const calm = { ...amount, feature: 'customer_age', psi: 0.01, psi_severity: 'none' as const, severity: 'none' as const, drifted: false }
  const mixed = { ...drift, features: [amount, confirmed, calm] }

  it('colours each PSI bar like its table badge, by the drift verdict, and writes the rule beside the table', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': mixed, ...withHistory })
    const { container } = renderWithClient(<DriftView model="fraud" />)
    await screen.findByText('Statistical tests')
    const bars = () => [...container.querySelectorAll('[aria-label="Population stability index per feature"] .recharts-bar-rectangle path')]
    await waitFor(() => expect(bars()).toHaveLength(3))
    const fills = bars().map((b) => b.getAttribute('fill'))
    const badges = mixed.features.map((f) => container.querySelector(`tr[data-feature="${f.feature}"] [data-severity]`)?.getAttribute('data-severity'))
    expect(badges).toEqual(['significant', 'moderate', 'none'])
    expect(fills).toEqual(badges.map((severity) => SEVERITY_COLORS[severity as keyof typeof SEVERITY_COLORS]))
    expect(fills[1]).toBe(SEVERITY_COLORS.moderate) // not PSI's own band (none, green)
    expect(screen.getByTestId('colour-rule')).toHaveTextContent(
      "Colour is each feature's drift verdict, the same in bars and badges: green no drift; amber moderate (PSI 0.10–0.25, or a shift the test confirms below PSI 0.10); red significant (PSI ≥ 0.25).",
    )
  })

  it('draws a reference-vs-current sparkline in every row from the result’s histogram', async () => {
    stubApi({ 'GET /api/v1/models/fraud/drift': mixed, ...withHistory })
    const { container } = renderWithClient(<DriftView model="fraud" />)
    await screen.findByText('Statistical tests')
    const rows = [...container.querySelectorAll('tr[data-feature]')]
    expect(rows.map((row) => row.querySelectorAll('[data-testid="distribution-sparkline"] rect').length)).toEqual([4, 4, 4]) // 2 bins × (reference, current)
  })
})

describe('DriftView labels and units', () => {
  it('labels features from the schema and bins in their unit', async () => {
    const amountBins = { bins: ['< 21.51', '21.51 – 29.79', '≥ 29.79'], reference: [0.2, 0.5, 0.3], current: [0.1, 0.2, 0.7] }
    const shifted = { ...drift, features: [{ ...drift.features[0], histogram: amountBins }, drift.features[1]] }
    stubApi({ 'GET /api/v1/models/fraud/drift': shifted, ...withHistory })
    const { container } = renderWithClient(<DriftView model="fraud" />, { client: testClient([[keys.servedVersion('fraud'), fraudVersion]]) })
    expect(await screen.findByText('Amount (USD): reference vs current')).toBeInTheDocument()
    expect(container.querySelector('tr[data-feature="amount"] button')).toHaveTextContent('Amount (USD)')
    const ticks = () => [...screen.getByTestId('feature-detail').querySelectorAll('[aria-label="Reference and current distributions"] .recharts-xAxis-tick-labels text')].map((t) => t.textContent)
    await waitFor(() => expect(ticks()).toHaveLength(3), { timeout: 3000 })
    expect(ticks()).toEqual(['< $22', '$22–$30', '≥ $30'])
    const shares = [...screen.getByTestId('feature-detail').querySelectorAll('[aria-label="Reference and current distributions"] .recharts-yAxis-tick-labels text')].map((t) => t.textContent)
    expect(shares).toEqual(['0%', '20%', '40%', '60%', '80%'])
  })
})

describe('DriftView deep link', () => {
  it('opens the feature the URL names (#drift?feature=…), and a click names another', async () => {
    visit('/#drift?feature=merchant_category')
    stubApi({ 'GET /api/v1/models/fraud/drift': drift, ...withHistory })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current')
    expect(screen.getByRole('button', { name: 'Merchant category' })).toHaveAttribute('aria-pressed', 'true')
    await userEvent.click(screen.getByRole('button', { name: 'Amount' }))
    expect(window.location.hash).toBe('#/drift?feature=amount')
    expect(screen.getByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
  })

  it('follows a link that arrives while the view is open, and the top feature for an unknown name', async () => {
    visit('/#/drift?feature=nope')
    stubApi({ 'GET /api/v1/models/fraud/drift': drift, ...withHistory })
    renderWithClient(<DriftView model="fraud" />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    act(() => {
      window.location.hash = '#drift?feature=merchant_category'
      window.dispatchEvent(new HashChangeEvent('hashchange'))
    })
    await waitFor(() => expect(screen.getByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current'))
  })
})
