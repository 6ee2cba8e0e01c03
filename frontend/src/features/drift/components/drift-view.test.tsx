import { fireEvent, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { drift, noDrift, visit } from '../../../test/fixtures'
import { renderWithClient, stubApi } from '../../../test/render'
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
    stubApi({ 'GET /api/v1/drift': noDrift })
    renderWithClient(<DriftView />)
    expect(await screen.findByText('Waiting for the first drift cycle — about 30 s')).toBeInTheDocument()
  })

  it('lists each feature with its test, statistic, p-value and severity', async () => {
    stubApi({ 'GET /api/v1/drift': drift, 'GET /api/v1/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView />)
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
    const calls = stubApi({ 'GET /api/v1/drift': drift, 'GET /api/v1/drift/history': ({ query }) => [200, history(query.feature)] })
    renderWithClient(<DriftView />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    await userEvent.click(screen.getByRole('button', { name: 'Merchant category' }))
    expect(screen.getByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current')
    expect(screen.getByRole('button', { name: 'Merchant category' })).toHaveAttribute('aria-pressed', 'true')
    await waitFor(() =>
      expect(calls.filter((c) => c.path === '/api/v1/drift/history').map((c) => c.query.feature)).toEqual(['amount', 'merchant_category']),
    )
    expect(await screen.findByRole('img', { name: /PSI and test statistic of merchant_category/ })).toBeInTheDocument()
  })

  it('selects a feature by clicking its PSI bar', async () => {
    stubApi({ 'GET /api/v1/drift': drift, 'GET /api/v1/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView />)
    await screen.findByTestId('feature-detail')
    const bars = () => [...container.querySelectorAll('.recharts-bar-rectangle path')].slice(0, 2)
    await waitFor(() => expect(bars()).toHaveLength(2))
    expect(bars().map((b) => b.getAttribute('fill'))).toEqual(['#f43f5e', '#34d399'])
    fireEvent.click(bars()[1])
    expect(screen.getByTestId('feature-detail')).toHaveTextContent('Merchant category: reference vs current')
  })

  it('shows the API error when drift cannot load', async () => {
    stubApi({ 'GET /api/v1/drift': () => [500, { detail: 'database unavailable' }] })
    renderWithClient(<DriftView />)
    expect(await screen.findByRole('alert')).toHaveTextContent('database unavailable')
  })

  it("reads a registered model's drift from its scoped endpoints", async () => {
    visit('/?model=cancer#/drift')
    const score = { ...drift.score!, feature: 'score' }
    const calls = stubApi({
      'GET /api/v1/models/cancer/drift': { ...drift, score },
      'GET /api/v1/models/cancer/drift/history': ({ query }) => [200, history(query.feature)],
    })
    renderWithClient(<DriftView />)
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    expect(screen.getByTestId('score-drift')).toHaveTextContent('Prediction drift (score)')
    await waitFor(() => expect(calls.map((c) => [c.path, c.query.feature ?? null])).toContainEqual(['/api/v1/models/cancer/drift/history', 'amount']))
    expect(calls.map((c) => c.path)).not.toContain('/api/v1/drift')
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
    stubApi({ 'GET /api/v1/drift': shifted, 'GET /api/v1/drift/history': ({ query }) => [200, history(query.feature)] })
    const { container } = renderWithClient(<DriftView />)
    await screen.findByText('Statistical tests')
    const order = () => [...container.querySelectorAll('tr[data-feature]')].map((row) => row.getAttribute('data-feature'))
    expect(order()).toEqual(['amount', 'hour_of_day', 'day_of_week'])
    expect(await screen.findByTestId('feature-detail')).toHaveTextContent('Amount: reference vs current')
    await userEvent.click(screen.getByTestId('feature-order'))
    expect(order()).toEqual(['day_of_week', 'hour_of_day', 'amount'])
  })
})
