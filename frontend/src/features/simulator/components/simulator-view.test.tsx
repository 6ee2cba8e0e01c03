import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { SignInDialog } from '../../../components/sign-in-dialog'
import { keys } from '../../../lib/query-keys'
import { cancerEntry, fraudEntry, session, simulator, stats } from '../../../test/fixtures'
import { renderWithClient, stubApi, testClient, type StubAnswer, type StubCall, type StubRoutes } from '../../../test/render'
import type { Role, SimulatorState } from '../../../types/api'
import { ADMIN_KEY, PREDICT_KEY, sessionApi } from '../../../test/session-api'
import SimulatorView from './simulator-view'

/** The simulator routes behind the session routes: switching needs the admin role. */
function api({ initial = simulator(), role = 'admin' }: { initial?: SimulatorState; role?: Role | null } = {}) {
  let state = initial
  const auth = sessionApi({ role })
  const routes: StubRoutes = {
    ...auth.routes,
    'GET /api/v1/simulator': (): StubAnswer => [200, state],
    'GET /api/v1/models': [fraudEntry],
    'GET /api/v1/models/fraud/stats': stats(),
    'PUT /api/v1/simulator': auth.guarded(({ body }) => {
      state = { ...state, scenario: body.scenario, rps: body.rps === undefined ? state.rps : body.rps, elapsed_s: 0 }
      return [200, state]
    }),
  }
  return { routes, auth }
}

/** The page as the app shows it, with who is signed in already known (the header loads it first). */
const render = (role: Role | null = 'admin') =>
  renderWithClient(
    <>
      <SimulatorView model="fraud" />
      <SignInDialog />
    </>,
    { client: testClient([[keys.session, session(role)]]) },
  )
const puts = (calls: StubCall[]) => calls.filter((c) => c.method === 'PUT')

async function signIn(key: string) {
  const input = await screen.findByLabelText('API key')
  await userEvent.clear(input)
  await userEvent.type(input, `${key}{Enter}`)
}

describe('SimulatorView', () => {
  it('starts a scenario and goes back to normal', async () => {
    const calls = stubApi(api().routes)
    render()
    expect(await screen.findByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none')
    await userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'sudden'))
    expect(screen.getByRole('button', { name: 'Start sudden shift' })).toHaveAttribute('aria-pressed', 'true')
    expect(puts(calls)[0].body).toEqual({ scenario: 'sudden' })
    expect(puts(calls)[0].headers).toEqual({ 'Content-Type': 'application/json' })

    await userEvent.click(screen.getAllByRole('button', { name: 'Back to normal' })[0])
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none'))
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('changes the traffic rate within its bounds', async () => {
    const calls = stubApi(api({ initial: simulator('sudden', 10) }).routes)
    render()
    const rate = await screen.findByLabelText('Requests per second')
    expect(rate).toHaveValue(10)
    await userEvent.clear(rate)
    await userEvent.type(rate, '500')
    expect(screen.getByText('Enter a rate between 1 and 200 requests per second.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Apply rate' })).toBeDisabled()
    await userEvent.clear(rate)
    await userEvent.type(rate, '40{Enter}')
    await waitFor(() => expect(puts(calls)[0]?.body).toEqual({ scenario: 'sudden', params: {}, rps: 40 }))
    expect(await screen.findByText('Setting: 40 req/s')).toBeInTheDocument()
  })

  it('asks a signed-out visitor for a key first, then switches as asked', async () => {
    const calls = stubApi(api({ role: null }).routes)
    render(null)
    await screen.findByTestId('active-scenario')
    await userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))
    expect(await screen.findByRole('dialog', { name: 'Sign in to make changes' })).toBeInTheDocument()
    expect(puts(calls)).toHaveLength(0) // nothing is tried without a key
    await signIn(ADMIN_KEY)
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'sudden'))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(puts(calls).map((c) => c.body)).toEqual([{ scenario: 'sudden' }])
  })

  it('asks again when the session has expired, then switches', async () => {
    const { routes, auth } = api()
    const calls = stubApi(routes)
    render()
    await screen.findByTestId('active-scenario')
    auth.expire()
    await userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))
    const dialog = await screen.findByRole('dialog')
    expect(dialog).toHaveTextContent('Your session has ended.')
    expect(screen.queryByRole('alert')).toBeNull() // the 401 is the dialog's business, not an error line
    await signIn(ADMIN_KEY)
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'sudden'))
    expect(puts(calls)).toHaveLength(2)
  })

  it('says so when the signed-in key may not switch the simulator', async () => {
    const calls = stubApi(api({ role: null }).routes)
    render(null)
    await screen.findByTestId('active-scenario')
    await userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))
    await signIn(PREDICT_KEY)
    expect(await screen.findByRole('alert')).toHaveTextContent('The signed-in key (predict) may not do this.')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none')
    expect(puts(calls)).toHaveLength(1)
  })

  it("labels each scenario's button with its name, the fraud-ring attack beside the sudden shift", async () => {
    const catalogue = [
      ...simulator().scenarios,
      { name: 'fraud_ring', label: 'Fraud-ring attack', description: 'A staged attack: 12 of the 13 features move.', params: {} },
    ]
    const calls = stubApi(api({ initial: { ...simulator(), scenarios: catalogue } }).routes)
    render()
    await screen.findByTestId('active-scenario')
    expect(screen.getByRole('button', { name: 'Start sudden shift' })).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Start fraud-ring attack' }))
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'fraud_ring'))
    expect(puts(calls)[0].body).toEqual({ scenario: 'fraud_ring' })
  })
})

describe('SimulatorView with another model selected', () => {
  it("drives the model GET /simulator names all the same, and says whose traffic it makes", async () => {
    const calls = stubApi({
      ...api().routes,
      'GET /api/v1/models': [fraudEntry, cancerEntry],
      'GET /api/v1/models/fraud/stats': stats(1234, { last_minute: { ...stats().last_minute, per_second: 12.5 } }),
    })
    renderWithClient(<SimulatorView model="cancer" />, { client: testClient([[keys.session, session('admin')]]) })
    expect(await screen.findByTestId('simulated-model')).toHaveTextContent('The simulator makes the traffic of fraud; its scenario switches are marked on fraud\'s charts.')
    expect(await screen.findByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none')
    expect(await screen.findByText('12.5/s', { exact: false })).toBeInTheDocument()
    expect(calls.map((c) => c.path)).not.toContain('/api/v1/models/cancer/stats')
  })

  it('says nothing of whose traffic it is when the default model is the one shown', async () => {
    stubApi(api().routes)
    render()
    expect(await screen.findByText(/Measured: 10\.0\/s/)).toBeInTheDocument() // the model list is in: fraud is the default
    expect(screen.queryByTestId('simulated-model')).toBeNull()
  })
})
