import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { simulator, stats } from '../../../test/fixtures'
import { renderWithClient, stubApi } from '../../../test/render'
import SimulatorView from './simulator-view'

function api(initial = simulator()) {
  let state = initial
  return {
    'GET /api/v1/simulator': () => [200, state],
    'GET /api/v1/stats': stats(),
    'PUT /api/v1/simulator': ({ body }) => {
      state = { ...state, scenario: body.scenario, rps: body.rps === undefined ? state.rps : body.rps, elapsed_s: 0 }
      return [200, state]
    },
  }
}

describe('SimulatorView', () => {
  it('starts a scenario and goes back to normal', async () => {
    const calls = stubApi(api())
    renderWithClient(<SimulatorView />)
    expect(await screen.findByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none')
    await userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'sudden'))
    expect(screen.getByRole('button', { name: 'Start sudden shift' })).toHaveAttribute('aria-pressed', 'true')
    expect(calls.find((c) => c.method === 'PUT').body).toEqual({ scenario: 'sudden' })

    await userEvent.click(screen.getAllByRole('button', { name: 'Back to normal' })[0])
    await waitFor(() => expect(screen.getByTestId('active-scenario')).toHaveAttribute('data-scenario', 'none'))
  })

  it('changes the traffic rate within its bounds', async () => {
    const calls = stubApi(api(simulator('sudden', 10)))
    renderWithClient(<SimulatorView />)
    const rate = await screen.findByLabelText('Requests per second')
    expect(rate).toHaveValue(10)
    await userEvent.clear(rate)
    await userEvent.type(rate, '500')
    expect(screen.getByText('Enter a rate between 1 and 200 requests per second.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Apply rate' })).toBeDisabled()
    await userEvent.clear(rate)
    await userEvent.type(rate, '40{Enter}')
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ scenario: 'sudden', params: {}, rps: 40 }))
    expect(await screen.findByText('Setting: 40 req/s')).toBeInTheDocument()
  })
})
