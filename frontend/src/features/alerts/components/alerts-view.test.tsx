import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { SignInDialog } from '../../../components/sign-in-dialog'
import { keys } from '../../../lib/query-keys'
import type { Incident, IncidentAction, IncidentStatus } from '../../../types/api'
import { incident, incidentsOut, session } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubAnswer, type StubCall, type StubRequest, type StubRoutes } from '../../../test/render'
import { ADMIN_KEY, PREDICT_KEY, sessionApi } from '../../../test/session-api'
import AlertsView from './alerts-view'

/** A tiny in-memory incidents API that follows the contract: filters, counts, and one transition for the whole group. */
function incidentsApi(initial: Incident[]) {
  const store = new Map(initial.map((i) => [i.id, i]))
  const list = ({ query }: StubRequest): StubAnswer => {
    const wanted = (status: IncidentStatus) =>
      !query.status || (query.status === 'active' ? status !== 'resolved' : status === query.status)
    const all = [...store.values()]
    const items = all.filter((i) => wanted(i.status)).sort((a, b) => b.id - a.id).slice(0, Number(query.limit ?? 50))
    return [200, incidentsOut(items, incidentsOut(all).counts)]
  }
  const transition = (id: number, action: IncidentAction, allowed: IncidentStatus[]): StubAnswer => {
    const current = store.get(id)
    if (!current) return [404, { detail: `incident ${id} not found` }]
    if (!allowed.includes(current.status)) return [409, { detail: `cannot ${action} a ${current.status} incident` }]
    const status: IncidentStatus = action === 'acknowledge' ? 'acknowledged' : 'resolved'
    const next: Incident = { ...current, status, alerts: current.alerts.map((a) => ({ ...a, status })), [`${status}_at`]: new Date().toISOString() }
    store.set(id, next)
    return [200, next]
  }
  const routes: StubRoutes = { 'GET /api/v1/models/fraud/incidents': list }
  for (const i of initial) {
    routes[`POST /api/v1/incidents/${i.id}/acknowledge`] = () => transition(i.id, 'acknowledge', ['open'])
    routes[`POST /api/v1/incidents/${i.id}/resolve`] = () => transition(i.id, 'resolve', ['open', 'acknowledged'])
  }
  return { routes, store }
}

let api: ReturnType<typeof incidentsApi>
beforeEach(() => {
  api = incidentsApi([
    incident(1, 'resolved'),
    incident(2, 'acknowledged', { cause: 'performance', severity: 'warning', title: 'Performance: ROC-AUC fell to 0.81', features: [],
      peak: { drift_share: null, roc_auc: 0.812 }, detection_s: null, started_at: null }),
    incident(3, 'open'),
  ])
})

const card = (id: number) => {
  const element = document.querySelector<HTMLElement>(`[data-testid="incident"][data-incident-id="${id}"]`)
  if (!element) throw new Error(`no card for incident ${id}`)
  return element
}
const inCard = (id: number) => within(card(id))
const posts = (calls: StubCall[]) => calls.filter((c) => c.method === 'POST')

describe('AlertsView', () => {
  it('lists incidents, current first, then resolved, with the counts per status', async () => {
    stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    await screen.findByText('Input drift: 3 of 13 features shifted (#1)')
    const cards = screen.getAllByTestId('incident')
    expect(cards.map((c) => [c.dataset.incidentId, c.dataset.status, c.dataset.severity])).toEqual([
      ['3', 'open', 'critical'], ['2', 'acknowledged', 'warning'], ['1', 'resolved', 'critical'],
    ])
    const count = (status: string) => screen.getAllByTestId('incident-count').find((c) => c.dataset.status === status)
    expect(count('open')).toHaveTextContent('1')
    expect(count('acknowledged')).toHaveTextContent('1')
    expect(count('resolved')).toHaveTextContent('1')
    expect(inCard(3).getByTestId('incident-title')).toHaveTextContent('Input drift: 3 of 13 features shifted (#3)')
    expect(inCard(3).getByText(/Larger amounts, earlier hours/)).toBeInTheDocument()
    expect(inCard(3).getAllByText('Critical')[0]).toBeVisible() // the incident's badge (its alerts' are folded away)
    expect(inCard(2).getAllByText('Warning')[0]).toBeVisible()
    expect(inCard(3).getByText('40 s')).toBeInTheDocument() // detected 40 s…
    expect(inCard(3).getByText('after the traffic changed')).toBeInTheDocument()
  })

  it('shows one incident for its alerts, which open on demand, each with its message', async () => {
    stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    const members = inCard(3).getByTestId('incident-members')
    expect(members).toHaveTextContent('3 alerts in this incident · 3 open')
    const message = within(members).getByText('Amount (USD) shifted strongly: PSI 0.61 (KS 0.31, p < 1e-10)')
    expect(message).not.toBeVisible()
    await userEvent.click(within(members).getByText(/3 alerts in this incident/))
    expect(message).toBeVisible()
    expect(within(members).getByText(/3 of 13 inputs drifted/)).toBeVisible()
    expect(within(members).getByText('Fraud probability shifted: PSI 0.30')).toBeVisible()
  })

  it('links each feature to its drift detail', async () => {
    stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    const links = inCard(3).getAllByTestId('incident-feature')
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['#drift?feature=amount', '#drift?feature=hour_of_day', '#drift?feature=distance_from_home_km'])
    expect(links[0]).toHaveTextContent('Amount (USD)0.52') // a current incident: the PSI now
    expect(inCard(2).queryByTestId('incident-feature')).toBeNull()
  })

  it('shows a resolved incident by its peak and how long it lasted, not its last values', async () => {
    stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#1)')
    expect(inCard(1).getByText('Lasted')).toBeInTheDocument()
    expect(inCard(1).getByTestId('incident-duration')).toHaveTextContent('6 min')
    expect(inCard(1).getByTestId('incident-peak')).toHaveTextContent('23% of features drifted')
    const amount = inCard(1).getAllByTestId('incident-feature')[0]
    expect(amount).toHaveTextContent('0.61')
    expect(amount).not.toHaveTextContent('0.03')
    expect(inCard(1).getByText(/peak PSI/)).toBeInTheDocument()
    expect(inCard(1).queryByTestId('incident-ack')).toBeNull()
    expect(inCard(1).queryByTestId('incident-resolve')).toBeNull()
    expect(inCard(2).getByTestId('incident-peak')).toHaveTextContent('ROC-AUC 0.812')
  })

  it('acknowledges and resolves the whole group with one call each', async () => {
    const calls = stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    expect(inCard(2).queryByTestId('incident-ack')).toBeNull() // already acknowledged
    await userEvent.click(inCard(3).getByTestId('incident-ack'))
    await waitFor(() => expect(card(3)).toHaveAttribute('data-status', 'acknowledged'))
    expect(posts(calls).map((c) => c.path)).toEqual(['/api/v1/incidents/3/acknowledge'])
    expect(inCard(3).queryByTestId('incident-ack')).toBeNull()

    await userEvent.click(inCard(3).getByTestId('incident-resolve'))
    await waitFor(() => expect(card(3)).toHaveAttribute('data-status', 'resolved'))
    expect(posts(calls).map((c) => c.path)).toEqual(['/api/v1/incidents/3/acknowledge', '/api/v1/incidents/3/resolve'])
    expect(api.store.get(3)?.alerts.every((a) => a.status === 'resolved')).toBe(true)
    const cards = screen.getAllByTestId('incident')
    expect(cards.map((c) => c.dataset.incidentId)).toEqual(['2', '3', '1']) // moved to the history
  })

  it('shows why a transition was refused', async () => {
    api.routes['POST /api/v1/incidents/3/acknowledge'] = () => [409, { detail: 'cannot acknowledge a resolved incident' }]
    stubApi(api.routes)
    renderWithClient(<AlertsView model="fraud" />)
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    await userEvent.click(inCard(3).getByTestId('incident-ack'))
    expect(await inCard(3).findByRole('alert')).toHaveTextContent('cannot acknowledge a resolved incident')
  })

  it('says all is quiet without incidents', async () => {
    stubApi(incidentsApi([]).routes)
    renderWithClient(<AlertsView model="fraud" />)
    expect(await screen.findByText('All quiet — no open incidents')).toBeInTheDocument()
    expect(await screen.findByText('No resolved incidents yet')).toBeInTheDocument()
  })

  it("reads another model's incidents from its own route", async () => {
    const calls = stubApi({ 'GET /api/v1/models/cancer/incidents': incidentsOut([incident(9, 'open', { model: 'cancer', title: 'Input drift: 1 of 4 features shifted' })]) })
    renderWithClient(<AlertsView model="cancer" />)
    expect(await screen.findAllByText('Input drift: 1 of 4 features shifted')).not.toHaveLength(0)
    const reads = calls.filter((c) => c.path.includes('incidents'))
    expect(reads.map((c) => [c.path, c.query.status])).toEqual([['/api/v1/models/cancer/incidents', 'active'], ['/api/v1/models/cancer/incidents', 'resolved']])
  })
})

describe('AlertsView when not signed in', () => {
  const setup = () => {
    const auth = sessionApi()
    const routes = { ...api.routes, ...auth.routes }
    for (const action of ['acknowledge', 'resolve']) {
      routes[`POST /api/v1/incidents/3/${action}`] = auth.guarded(api.routes[`POST /api/v1/incidents/3/${action}`])
    }
    const calls = stubApi(routes)
    renderWithClient(
      <>
        <AlertsView model="fraud" />
        <SignInDialog />
      </>,
      { client: testClient([[keys.session, session(null)]]) },
    )
    return calls
  }
  const signIn = async (key: string) => userEvent.type(await screen.findByLabelText('API key'), `${key}{Enter}`)
  const incidentPosts = (calls: StubCall[]) => calls.filter((c) => c.path.startsWith('/api/v1/incidents/'))

  it('asks for a key when Acknowledge is pressed, then acknowledges', async () => {
    const calls = setup()
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    await userEvent.click(inCard(3).getByTestId('incident-ack'))
    expect(await screen.findByRole('dialog')).toBeInTheDocument()
    expect(incidentPosts(calls)).toHaveLength(0)
    await signIn(ADMIN_KEY)
    await waitFor(() => expect(card(3)).toHaveAttribute('data-status', 'acknowledged'))
    expect(incidentPosts(calls)).toHaveLength(1)
    expect(incidentPosts(calls)[0].headers).toEqual({ 'Content-Type': 'application/json' })
  })

  it('says the signed-in key may not resolve incidents', async () => {
    setup()
    await screen.findByText('Input drift: 3 of 13 features shifted (#3)')
    await userEvent.click(inCard(3).getByTestId('incident-resolve'))
    await signIn(PREDICT_KEY)
    expect(await inCard(3).findByRole('alert')).toHaveTextContent('The signed-in key (predict) may not do this.')
    expect(api.store.get(3)?.status).toBe('open')
  })
})
