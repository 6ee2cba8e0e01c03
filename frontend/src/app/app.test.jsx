import { act, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { LiveProvider } from '../lib/live/live-provider'
import { model, noDrift, simulator, stats } from '../test/fixtures'
import { renderWithClient, stubApi } from '../test/render'
import { App } from './app'

class FakeSocket {
  static last = null
  constructor(url) {
    this.url = url
    FakeSocket.last = this
  }
  close() {}
}

const healthy = {
  'GET /api/v1/stats': stats(),
  'GET /api/v1/model': model,
  'GET /api/v1/drift/summary': { ...noDrift, drifted_features: [], n_features: 3 },
  'GET /api/v1/alerts': { items: [], counts: { open: 3, acknowledged: 0, resolved: 0 } },
  'GET /api/v1/simulator': simulator('sudden'),
}

const renderApp = () =>
  renderWithClient(
    <LiveProvider url="ws://test/ws/live" WebSocketImpl={FakeSocket}>
      <App />
    </LiveProvider>,
  )

beforeEach(() => {
  window.location.hash = ''
})

describe('App', () => {
  it('shows the live state, the active scenario and the open alert count', async () => {
    stubApi(healthy)
    renderApp()
    expect(screen.getByTestId('connection-status')).toHaveTextContent('Connecting')
    act(() => FakeSocket.last.onopen())
    expect(screen.getByTestId('connection-status')).toHaveAttribute('data-status', 'live')
    expect(await screen.findByText('Traffic: Sudden shift')).toBeInTheDocument()
    expect(await screen.findByRole('button', { name: /Alerts\s*3/ })).toBeInTheDocument()
    expect(screen.queryByRole('alert')).toBeNull()
    const dropped = FakeSocket.last
    act(() => dropped.onclose({ code: 1006 }))
    expect(screen.getByTestId('connection-status')).toHaveTextContent(/Reconnecting · retry 1 in 1 s/)
    expect(screen.getByRole('alert')).toHaveTextContent('Lost the live connection to the Driftwatch API.')
    await waitFor(() => expect(FakeSocket.last).not.toBe(dropped), { timeout: 2000 })
    act(() => FakeSocket.last.onopen())
    expect(screen.getByTestId('connection-status')).toHaveAttribute('data-status', 'live')
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('switches views from the keyboard and keeps the view in the URL', async () => {
    stubApi(healthy)
    renderApp()
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Overview')
    await userEvent.tab()
    await userEvent.tab()
    expect(screen.getByRole('button', { name: /Drift/ })).toHaveFocus()
    await userEvent.keyboard('{Enter}')
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Drift'))
    expect(window.location.hash).toBe('#/drift')
    expect(screen.getByRole('button', { name: /Drift/ })).toHaveAttribute('aria-current', 'page')
  })

  it('says so when the API is down', async () => {
    stubApi({})
    window.fetch = async () => {
      throw new TypeError('Failed to fetch')
    }
    renderApp()
    expect(await screen.findByText('The Driftwatch API is not answering.', {}, { timeout: 4000 })).toBeInTheDocument()
    expect(screen.getAllByRole('alert')[0]).toHaveTextContent('is the backend running?')
  })
})
