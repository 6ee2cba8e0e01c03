/**
 * The live channel belongs to the selected model: it is opened with ?model=<name>, its messages go
 * into that model's keys only, and selecting another model opens the other model's channel.
 */
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LiveProvider } from '../lib/live/live-provider'
import { keys } from '../lib/query-keys'
import { cancerEntry, fraudEntry, fraudVersion, cancerVersion, incident, incidentsOut, noDrift, simulator, stats, visit } from '../test/fixtures'
import { FakeSocket, openChannel } from '../test/fake-socket'
import { renderWithClient, stubApi, type StubCall, type StubRoutes } from '../test/render'
import { sessionApi } from '../test/session-api'
import { App } from './app'
import { VIEWS } from './views'

/** Another model's open incident: what the old channel announced as `newest` to every model's dashboard. */
const theirs = incident(31, 'open', { model: 'cancer', title: 'Input drift: Educ and Age shifted' })
const none = incidentsOut([])

/** Two models: fraud (the default) with no incident, cancer with one; the unscoped route lists every model's. */
const routes = (): StubRoutes => ({
  ...sessionApi().routes,
  'GET /api/v1/models': [fraudEntry, cancerEntry],
  'GET /api/v1/simulator': simulator(),
  'GET /api/v1/incidents': incidentsOut([theirs]),
  'GET /api/v1/models/fraud/incidents': none,
  'GET /api/v1/models/fraud/stats': stats(100),
  'GET /api/v1/models/fraud/model': fraudVersion,
  'GET /api/v1/models/fraud/drift/summary': noDrift,
  'GET /api/v1/models/cancer/incidents': ({ query }) => [200, query.status === 'resolved' ? none : incidentsOut([theirs])],
  'GET /api/v1/models/cancer/stats': stats(200),
  'GET /api/v1/models/cancer/model': cancerVersion,
  'GET /api/v1/models/cancer/drift/summary': noDrift,
})

const renderApp = () =>
  renderWithClient(
    <LiveProvider url="ws://test/ws/live" WebSocketImpl={FakeSocket}>
      <App />
    </LiveProvider>,
  )

const incidentsMessage = { type: 'incidents', data: { open: 1, acknowledged: 0, resolved: 0, updated_at: theirs.updated_at, newest: { id: theirs.id, title: theirs.title } } }
const reads = (calls: StubCall[], path: string) => calls.filter((c) => c.method === 'GET' && c.path === path).length

beforeAll(async () => {
  await Promise.all(VIEWS.map((view) => view.load()))
})
beforeEach(() => {
  FakeSocket.all = []
})

describe("the live channel of the selected model", () => {
  it("opens with ?model=<selected>; another model's incident never shows in its Alerts view or Overview", async () => {
    const calls = stubApi(routes())
    visit('/#/alerts')
    const { client } = renderApp()
    const channel = await openChannel('ws://test/ws/live?model=fraud')
    expect(await screen.findByText('All quiet — no open incidents')).toBeInTheDocument()
    const before = reads(calls, '/api/v1/models/fraud/incidents')

    channel.receive(incidentsMessage) // what the backend sent every model's dashboard before it scoped the channel
    await waitFor(() => expect(reads(calls, '/api/v1/models/fraud/incidents')).toBeGreaterThan(before)) // fraud's list, read again
    await waitFor(() => expect(client.isFetching()).toBe(0))
    expect(screen.getByText('All quiet — no open incidents')).toBeInTheDocument()
    expect(screen.queryByText(theirs.title)).toBeNull()
    expect(within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name: /Alerts/ })).toHaveTextContent(/^⚑Alerts$/)

    await userEvent.click(screen.getByRole('button', { name: /Overview/ }))
    expect(await screen.findByText('All quiet — no incidents yet')).toBeInTheDocument()
    expect(screen.queryByText(theirs.title)).toBeNull()
    // Nothing of fraud's is ever read from a route that lists every model's incidents, nor from cancer's.
    expect(reads(calls, '/api/v1/incidents')).toBe(0)
    expect(reads(calls, '/api/v1/models/cancer/incidents')).toBe(0)
    expect(client.getQueryData(keys.incidentList('cancer', 'active', 50))).toBeUndefined()
  })

  it("moves to the model selected: its own channel, its own figures; the old channel's late messages are dropped", async () => {
    stubApi(routes())
    visit('/#/overview')
    const { client } = renderApp()
    const fraud = await openChannel('ws://test/ws/live?model=fraud')
    fraud.receive({ type: 'stats', data: stats(150, { as_of: '2026-11-23T12:00:01+00:00' }) })
    expect(await screen.findByTestId('prediction-counter')).toHaveAttribute('data-value', '150')
    expect(client.getQueryData(keys.statsSeries('fraud'))).toHaveLength(1)

    await userEvent.selectOptions(await screen.findByLabelText('Model'), 'cancer')
    const cancer = await openChannel('ws://test/ws/live?model=cancer')
    expect(fraud.closed).toBe(true)
    expect(client.getQueryData(keys.statsSeries('fraud'))).toBeUndefined() // the model left keeps no live series
    fraud.receive({ type: 'stats', data: stats(999, { as_of: '2026-11-23T12:00:02+00:00' }) }) // too late: dropped
    cancer.receive({ type: 'stats', data: stats(250, { as_of: '2026-11-23T12:00:02+00:00' }) })
    await waitFor(() => expect(screen.getByTestId('prediction-counter')).toHaveAttribute('data-value', '250'))
    expect(client.getQueryData(keys.stats('fraud'))).toMatchObject({ total_predictions: 150 })

    cancer.receive(incidentsMessage)
    expect(await screen.findByText(theirs.title)).toBeInTheDocument() // cancer's own incident, on cancer's dashboard
  })

  it("opens a channel for everyone's messages while the model list fails, and moves to the default model's once the API is back", async () => {
    let down = true
    stubApi({ ...routes(), 'GET /api/v1/models': () => (down ? [503, { detail: 'starting' }] : [200, [fraudEntry, cancerEntry]]) })
    renderApp()
    expect(await screen.findByText('The Driftwatch API is not answering.')).toBeInTheDocument()
    await waitFor(() => expect(FakeSocket.last.url).toBe('ws://test/ws/live')) // no model to name yet
    down = false
    FakeSocket.last.open() // the API answers again: what failed is read again
    await openChannel('ws://test/ws/live?model=fraud')
    expect(screen.queryByText('The Driftwatch API is not answering.')).toBeNull()
  })
})
