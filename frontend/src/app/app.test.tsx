import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { formatClock } from '../lib/format'
import { LiveProvider } from '../lib/live/live-provider'
import { cancerEntry, fraudEntry, fraudVersion, noDrift, simulator, stats, visit } from '../test/fixtures'
import { renderWithClient, stubApi, type StubRoutes } from '../test/render'
import { FakeSocket, openChannel } from '../test/fake-socket'
import { ADMIN_KEY, sessionApi } from '../test/session-api'
import { App } from './app'
import { VIEWS } from './views'

const healthy = (auth = sessionApi()): StubRoutes => ({
  ...auth.routes,
  'GET /api/v1/models': [fraudEntry],
  'GET /api/v1/models/fraud/stats': stats(),
  'GET /api/v1/models/fraud/model': fraudVersion,
  'GET /api/v1/models/fraud/drift/summary': { ...noDrift, drifted_features: [], n_features: 3 },
  // Fourteen alerts of one shift are one incident: the badge counts incidents needing someone.
  'GET /api/v1/models/fraud/alerts': { items: [], counts: { open: 14, acknowledged: 0, resolved: 0 } },
  'GET /api/v1/simulator': simulator('sudden'),
  'GET /api/v1/models/fraud/incidents': { incidents: [], counts: { open: 3, acknowledged: 1, resolved: 2 } },
})

const renderApp = () =>
  renderWithClient(
    <LiveProvider url="ws://test/ws/live" WebSocketImpl={FakeSocket}>
      <App />
    </LiveProvider>,
  )

const pill = () => screen.getByTestId('connection-status')

// The views are lazy chunks: load them once, before the tests, so no test waits for a module.
beforeAll(async () => {
  await Promise.all(VIEWS.map((view) => view.load()))
})

beforeEach(() => {
  window.location.hash = ''
  FakeSocket.all = []
})

const FRAUD_CHANNEL = 'ws://test/ws/live?model=fraud'
afterEach(() => vi.useRealTimers())

describe('App', () => {
  it('shows the live state, the active scenario and the count of open incidents', async () => {
    stubApi(healthy())
    renderApp()
    expect(pill()).toHaveTextContent('Connecting')
    await openChannel(FRAUD_CHANNEL) // once the model list names the default model
    expect(pill()).toHaveAttribute('data-status', 'live')
    expect(await screen.findByText('Traffic: Sudden shift')).toBeInTheDocument()
    expect(await screen.findByRole('button', { name: /Alerts\s*3/ })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /Alerts\s*14/ })).toBeNull()
    expect(screen.queryByRole('alert')).toBeNull()

    vi.useFakeTimers() // the reconnect back-off is stepped, not waited for
    const dropped = FakeSocket.last
    dropped.drop()
    expect(pill()).toHaveTextContent(/Reconnecting · retry 1 in 1 s/)
    expect(screen.getByRole('alert')).toHaveTextContent('Lost the live connection to the Driftwatch API.')
    act(() => vi.advanceTimersByTime(600)) // 0.5 s ± 20 %
    expect(FakeSocket.last).not.toBe(dropped)
    expect(FakeSocket.last.url).toBe(FRAUD_CHANNEL)
    FakeSocket.last.open()
    expect(pill()).toHaveAttribute('data-status', 'live')
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('switches views from the keyboard and keeps the view in the URL', async () => {
    stubApi(healthy())
    renderApp()
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Overview')
    await userEvent.tab() // the drawer's Close button (hidden from 1024 px; jsdom has no CSS)
    await userEvent.tab()
    await userEvent.tab()
    expect(screen.getByRole('button', { name: /Drift/ })).toHaveFocus()
    await userEvent.keyboard('{Enter}')
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Drift'))
    expect(window.location.hash).toBe('#/drift')
    expect(screen.getByRole('button', { name: /Drift/ })).toHaveAttribute('aria-current', 'page')
  })

  it('does not call the API down when the URL names a model it does not know', async () => {
    stubApi(healthy())
    visit('/?model=ghost#/overview')
    renderApp()
    await waitFor(() => expect(screen.getAllByText(/no route GET \/api\/v1\/models\/ghost/).length).toBeGreaterThan(0))
    expect(screen.queryByText('The Driftwatch API is not answering.')).toBeNull()
  })

  it('says so when the API is down', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    renderApp()
    expect(await screen.findByText('The Driftwatch API is not answering.')).toBeInTheDocument()
    expect(screen.getAllByRole('alert')[0]).toHaveTextContent('is the backend running?')
  })
})

describe('App and the model list', () => {
  it('shows the default model when the URL names none: the one GET /models marks, else the first listed', async () => {
    const calls = stubApi({ ...healthy(), 'GET /api/v1/models': [cancerEntry, { ...fraudEntry, is_default: true }] })
    renderApp()
    expect(await screen.findByTestId('prediction-counter')).toBeInTheDocument()
    expect(await screen.findByLabelText('Model')).toHaveValue('fraud')
    await openChannel(FRAUD_CHANNEL) // the live channel is the default model's too
    expect(window.location.search).toBe('') // the default model's URL needs no parameter
    expect(calls.map((c) => c.path).filter((p) => p.startsWith('/api/v1/models/cancer'))).toEqual([])
  })

  it('shows the loading state while the list loads, and asks nothing about a model meanwhile', async () => {
    let answer: (() => void) | null = null
    const calls = stubApi({ ...healthy(), 'GET /api/v1/models': () => [200, [fraudEntry]] })
    const fetchStub = globalThis.fetch
    vi.stubGlobal('fetch', (url: string, init?: RequestInit) =>
      url.endsWith('/api/v1/models') ? new Promise<Response>((resolve) => (answer = () => resolve(fetchStub(url, init)))) : fetchStub(url, init),
    )
    renderApp()
    expect(await screen.findByText('Loading the registered models…')).toBeInTheDocument()
    expect(calls.filter((c) => c.path.startsWith('/api/v1/models/'))).toEqual([])
    act(() => answer?.())
    expect(await screen.findByTestId('prediction-counter')).toBeInTheDocument()
  })

  it.each(['overview', 'drift', 'alerts', 'predict', 'performance', 'simulator'])('says no model is registered yet in the %s view, with a link to Models', async (view) => {
    const calls = stubApi({ ...healthy(), 'GET /api/v1/models': [] })
    visit(`/#/${view}`)
    renderApp()
    expect(await screen.findByTestId('no-model')).toHaveTextContent('No model registered yet — register one in Models')
    await userEvent.click(screen.getByRole('link', { name: 'Models' }))
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Models'))
    expect(screen.queryByText('The Driftwatch API is not answering.')).toBeNull()
    expect(calls.filter((c) => c.path.startsWith('/api/v1/models/'))).toEqual([])
  })
})

describe('App sign-in', () => {
  it('is read-only for a visitor, signs in from the header and out again', async () => {
    const calls = stubApi(healthy())
    renderApp()
    const session = await screen.findByTestId('session')
    expect(session).toHaveTextContent('Read-only')
    await userEvent.click(within(session).getByRole('button', { name: 'Sign in' }))
    const dialog = screen.getByRole('dialog', { name: 'Sign in to make changes' })
    expect(screen.getByRole('heading', { level: 1 }).closest('[inert]')).not.toBeNull() // the page behind the dialog is inert
    await userEvent.type(within(dialog).getByLabelText('API key'), `${ADMIN_KEY}{Enter}`)
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(screen.getByTestId('session')).toHaveAttribute('data-role', 'admin')
    expect(screen.getByTestId('session')).toHaveTextContent('Signed in · admin')
    expect(screen.getByTestId('session-key')).toHaveTextContent('key a1b2c3d4')
    expect(screen.getByRole('heading', { level: 1 }).closest('[inert]')).toBeNull()

    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }))
    await waitFor(() => expect(screen.getByTestId('session')).toHaveTextContent('Read-only'))
    expect(calls.filter((c) => c.path === '/api/v1/auth/session').map((c) => c.method)).toEqual(['GET', 'POST', 'DELETE'])
  })

  it('offers a sign-in when even reads need a key', async () => {
    stubApi({ ...healthy(), 'GET /api/v1/models': () => [401, { status: 401, title: 'Unauthorized', detail: 'this needs the predict role' }] })
    renderApp()
    const banner = await screen.findByText('This Driftwatch asks for a key even to read.')
    await userEvent.click(within(banner.closest<HTMLElement>('[role=alert]') ?? banner).getByRole('button', { name: 'Sign in' }))
    expect(screen.getByRole('dialog')).toBeInTheDocument()
  })
})

describe('App with a backend that lost its database', () => {
  const since = '2026-11-23T14:02:11Z'
  const degraded = { type: 'degraded', data: { since, reason: 'database unavailable' } }

  it('reads "Live · data stalled" with a banner until the backend recovers', async () => {
    stubApi(healthy())
    renderApp()
    await openChannel(FRAUD_CHANNEL)
    FakeSocket.last.receive(degraded)
    await waitFor(() => expect(pill()).toHaveAttribute('data-status', 'degraded'))
    expect(pill()).toHaveTextContent('Live · data stalled')
    const banner = screen.getByRole('alert')
    expect(banner).toHaveTextContent('The backend has lost its database.')
    expect(banner).toHaveTextContent(`Figures are frozen since ${formatClock(since)}.`)
    expect(banner).toHaveTextContent('Predictions are still scored and queued, and are stored once the database is back.')

    FakeSocket.last.receive({ type: 'recovered', data: { since, at: '2026-11-23T14:03:00Z' } })
    await waitFor(() => expect(pill()).toHaveAttribute('data-status', 'live'))
    expect(pill()).toHaveTextContent(/^Live$/)
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('after a reconnect: degraded again if the server says so, live once fresh stats arrive', async () => {
    stubApi(healthy())
    renderApp()
    await openChannel(FRAUD_CHANNEL)
    FakeSocket.last.receive(degraded)
    await waitFor(() => expect(pill()).toHaveAttribute('data-status', 'degraded'))

    vi.useFakeTimers()
    FakeSocket.last.drop()
    expect(pill()).toHaveAttribute('data-status', 'reconnecting')
    act(() => vi.advanceTimersByTime(600))
    FakeSocket.last.open()
    FakeSocket.last.receive(degraded)
    act(() => vi.advanceTimersByTime(0)) // let the query cache notify
    expect(pill()).toHaveAttribute('data-status', 'degraded')
    FakeSocket.last.receive({ type: 'stats', data: stats(2000) })
    act(() => vi.advanceTimersByTime(0))
    expect(pill()).toHaveAttribute('data-status', 'degraded') // stats alone do not end a degradation

    FakeSocket.last.drop()
    act(() => vi.advanceTimersByTime(600))
    FakeSocket.last.open()
    FakeSocket.last.receive({ type: 'stats', data: stats(2100, { as_of: '2026-11-23T14:10:00Z' }) })
    act(() => vi.advanceTimersByTime(0))
    expect(pill()).toHaveAttribute('data-status', 'live')
  })
})

describe('App navigation below 1024 px', () => {
  const menu = () => screen.getByRole('button', { name: 'Menu' })
  const drawer = () => document.getElementById(menu().getAttribute('aria-controls') ?? '')

  it('opens the views as a drawer from the top bar’s menu button, and closes it on a view chosen', async () => {
    stubApi(healthy())
    renderApp()
    expect(menu()).toHaveAttribute('aria-expanded', 'false')
    expect(drawer()).toHaveAttribute('data-state', 'closed')
    await userEvent.click(menu())
    expect(menu()).toHaveAttribute('aria-expanded', 'true')
    expect(drawer()).toHaveAttribute('data-state', 'open')
    expect(within(drawer()!).getByRole('button', { name: /Overview/ })).toHaveFocus() // focus moves into the drawer, on the current view
    expect(screen.getByRole('heading', { level: 1 }).closest('[inert]')).not.toBeNull() // the page behind it is inert
    await userEvent.click(within(drawer()!).getByRole('button', { name: /Drift/ }))
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Drift'))
    expect(menu()).toHaveAttribute('aria-expanded', 'false')
    expect(drawer()).toHaveAttribute('data-state', 'closed')
  })

  it('closes on Escape and gives focus back to the menu button', async () => {
    stubApi(healthy())
    renderApp()
    await userEvent.click(menu())
    expect(drawer()).toHaveAttribute('data-state', 'open')
    await userEvent.keyboard('{Escape}')
    expect(menu()).toHaveAttribute('aria-expanded', 'false')
    expect(drawer()).toHaveAttribute('data-state', 'closed')
    await waitFor(() => expect(menu()).toHaveFocus())
  })

  it('closes from its own Close button', async () => {
    stubApi(healthy())
    renderApp()
    await userEvent.click(menu())
    await userEvent.click(within(drawer()!).getByRole('button', { name: 'Close menu' }))
    expect(menu()).toHaveAttribute('aria-expanded', 'false')
  })
})

describe('App deep links', () => {
  it('opens the Drift view from a link with a feature (#drift?feature=amount)', async () => {
    stubApi(healthy())
    window.location.hash = '#drift?feature=amount'
    renderApp()
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Drift')
    expect(screen.getByRole('button', { name: /Drift/ })).toHaveAttribute('aria-current', 'page')
  })
})
