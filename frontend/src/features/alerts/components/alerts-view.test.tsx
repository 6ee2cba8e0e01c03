import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { SignInDialog } from '../../../components/sign-in-dialog'
import { keys } from '../../../lib/queries'
import { alert, session } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubAnswer, type StubCall, type StubRequest, type StubRoutes } from '../../../test/render'
import type { Alert, AlertAction, AlertStatus } from '../../../types/api'
import { ADMIN_KEY, PREDICT_KEY, sessionApi } from '../../../test/session-api'
import AlertsView from './alerts-view'

/** A tiny in-memory alerts API that follows the contract's transitions. */
function alertsApi(initial: Alert[]) {
  const store = new Map(initial.map((a) => [a.id, a]))
  const list = ({ query }: StubRequest): StubAnswer => {
    const items = [...store.values()].filter((a) => !query.status || a.status === query.status)
    const counts = { open: 0, acknowledged: 0, resolved: 0 }
    for (const a of store.values()) counts[a.status] += 1
    return [200, { items, counts }]
  }
  const transition = (id: number, to: AlertAction, allowed: AlertStatus[]): StubAnswer => {
    const current = store.get(id)
    if (!current) return [404, { detail: `alert ${id} not found` }]
    if (!allowed.includes(current.status)) return [409, { detail: `cannot ${to} a ${current.status} alert` }]
    const next: Alert = { ...current, status: to === 'acknowledge' ? 'acknowledged' : 'resolved', [`${to === 'acknowledge' ? 'acknowledged' : 'resolved'}_at`]: new Date().toISOString() }
    store.set(id, next)
    return [200, next]
  }
  const routes: StubRoutes = { 'GET /api/v1/alerts': list }
  for (const a of initial) {
    routes[`POST /api/v1/alerts/${a.id}/acknowledge`] = () => transition(a.id, 'acknowledge', ['open'])
    routes[`POST /api/v1/alerts/${a.id}/resolve`] = () => transition(a.id, 'resolve', ['open', 'acknowledged'])
  }
  return { routes, store }
}

let api: ReturnType<typeof alertsApi>
beforeEach(() => {
  api = alertsApi([alert(1), alert(2, 'open', { kind: 'no_traffic', feature: '', severity: 'warning', message: 'No predictions for 2 minutes' }), alert(3, 'resolved')])
})

const row = (id: number) => document.querySelector<HTMLElement>(`li[data-alert-id="${id}"]`)
const inRow = (id: number) => {
  const element = row(id)
  if (!element) throw new Error(`no row for alert ${id}`)
  return within(element)
}

describe('AlertsView', () => {
  it('lists open alerts with counts per status', async () => {
    stubApi(api.routes)
    renderWithClient(<AlertsView />)
    await screen.findByText(/PSI 0.61 above 0.25 on amount \(#1\)/)
    expect(screen.getByText('No predictions for 2 minutes')).toBeInTheDocument()
    expect(screen.getByRole('tab', { name: /Open/ })).toHaveTextContent('2')
    expect(screen.getByRole('tab', { name: /Resolved/ })).toHaveTextContent('1')
    expect(inRow(2).getByText('Warning')).toBeInTheDocument()
  })

  it('acknowledging moves an alert from Open to Acknowledged', async () => {
    const calls = stubApi(api.routes)
    renderWithClient(<AlertsView />)
    await screen.findByText(/\(#1\)/)
    await userEvent.click(inRow(1).getByRole('button', { name: 'Acknowledge' }))
    await waitFor(() => expect(row(1)).toBeNull())
    expect(calls.some((c) => c.method === 'POST' && c.path === '/api/v1/alerts/1/acknowledge')).toBe(true)
    await userEvent.click(screen.getByRole('tab', { name: /Acknowledged/ }))
    await screen.findByText(/\(#1\)/)
    expect(row(1)).toHaveAttribute('data-status', 'acknowledged')
    expect(inRow(1).queryByRole('button', { name: 'Acknowledge' })).toBeNull()
    await userEvent.click(inRow(1).getByRole('button', { name: 'Resolve' }))
    await waitFor(() => expect(row(1)).toBeNull())
    expect(api.store.get(1)?.status).toBe('resolved')
  })

  it('shows why a transition was refused', async () => {
    api.routes['POST /api/v1/alerts/1/acknowledge'] = () => [409, { detail: 'cannot acknowledge a resolved alert' }]
    stubApi(api.routes)
    renderWithClient(<AlertsView />)
    await screen.findByText(/\(#1\)/)
    await userEvent.click(inRow(1).getByRole('button', { name: 'Acknowledge' }))
    expect(await inRow(1).findByRole('alert')).toHaveTextContent('cannot acknowledge a resolved alert')
  })

  it('explains an empty tab', async () => {
    stubApi(alertsApi([]).routes)
    renderWithClient(<AlertsView />)
    expect(await screen.findByText('No open alerts')).toBeInTheDocument()
  })
})

describe('AlertsView when not signed in', () => {
  const setup = () => {
    const auth = sessionApi()
    const routes = { ...api.routes, ...auth.routes }
    for (const action of ['acknowledge', 'resolve']) {
      routes[`POST /api/v1/alerts/1/${action}`] = auth.guarded(api.routes[`POST /api/v1/alerts/1/${action}`])
    }
    const calls = stubApi(routes)
    renderWithClient(
      <>
        <AlertsView />
        <SignInDialog />
      </>,
      { client: testClient([[keys.session, session(null)]]) },
    )
    return calls
  }
  const signIn = async (key: string) => userEvent.type(await screen.findByLabelText('API key'), `${key}{Enter}`)
  const posts = (calls: StubCall[]) => calls.filter((c) => c.path.startsWith('/api/v1/alerts/'))

  it('asks for a key when Acknowledge is pressed, then acknowledges', async () => {
    const calls = setup()
    await screen.findByText(/\(#1\)/)
    await userEvent.click(inRow(1).getByRole('button', { name: 'Acknowledge' }))
    expect(await screen.findByRole('dialog')).toBeInTheDocument()
    expect(posts(calls)).toHaveLength(0)
    await signIn(ADMIN_KEY)
    await waitFor(() => expect(row(1)).toBeNull())
    expect(api.store.get(1)?.status).toBe('acknowledged')
    expect(posts(calls)[0].headers).toEqual({ 'Content-Type': 'application/json' })
  })

  it('says the signed-in key may not resolve alerts', async () => {
    setup()
    await screen.findByText(/\(#1\)/)
    await userEvent.click(inRow(1).getByRole('button', { name: 'Resolve' }))
    await signIn(PREDICT_KEY)
    expect(await inRow(1).findByRole('alert')).toHaveTextContent('The signed-in key (predict) may not do this.')
    expect(api.store.get(1)?.status).toBe('open')
  })
})
