import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { useSignInGate } from '../lib/auth/sign-in-gate'
import { keys } from '../lib/query-keys'
import { renderWithClient, stubApi } from '../test/render'
import { ADMIN_KEY, sessionApi } from '../test/session-api'
import { SignInDialog } from './sign-in-dialog'

function Trigger({ action }: { action: () => void }) {
  const { ask } = useSignInGate()
  return (
    <button type="button" onClick={() => ask('action', action)}>
      Start sudden shift
    </button>
  )
}

function setup(routes = sessionApi().routes) {
  const calls = stubApi(routes)
  const action = vi.fn()
  const view = renderWithClient(
    <>
      <Trigger action={action} />
      <SignInDialog />
    </>,
  )
  return { ...view, calls, action }
}

const open = () => userEvent.click(screen.getByRole('button', { name: 'Start sudden shift' }))

describe('SignInDialog', () => {
  it('is a labelled modal with the key field focused and says where the key is', async () => {
    setup()
    expect(screen.queryByRole('dialog')).toBeNull()
    await open()
    const dialog = screen.getByRole('dialog', { name: 'Sign in to make changes' })
    expect(dialog).toHaveAttribute('aria-modal', 'true')
    const input = screen.getByLabelText('API key')
    expect(input).toHaveAttribute('type', 'password')
    expect(input).toHaveFocus()
    expect(dialog).toHaveTextContent('ADMIN_API_KEYS in the project’s .env; ./scripts/setup.sh prints where it is.')
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled()
  })

  it('refuses a wrong key and stays open, then signs in and runs the waiting action once', async () => {
    const { calls, action, client } = setup()
    await open()
    await userEvent.type(screen.getByLabelText('API key'), 'not-the-key{Enter}')
    expect(await screen.findByRole('alert')).toHaveTextContent('That key was not accepted.')
    expect(screen.getByRole('dialog')).toBeInTheDocument()
    expect(screen.getByLabelText('API key')).toHaveAttribute('aria-invalid', 'true')
    expect(action).not.toHaveBeenCalled()

    await userEvent.clear(screen.getByLabelText('API key'))
    await userEvent.type(screen.getByLabelText('API key'), ADMIN_KEY)
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(action).toHaveBeenCalledTimes(1)
    expect(client.getQueryData(keys.session)).toMatchObject({ authenticated: true, role: 'admin' })
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.map((c) => c.body)).toEqual([{ key: 'not-the-key' }, { key: ADMIN_KEY }])
    expect(posts[1].headers).toEqual({ 'Content-Type': 'application/json' })
  })

  it('closes on Escape or Cancel without acting, and gives focus back', async () => {
    const { action, calls } = setup()
    await open()
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByRole('button', { name: 'Start sudden shift' })).toHaveFocus()
    await open()
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(action).not.toHaveBeenCalled()
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
  })

  it('says when to try again after too many attempts', async () => {
    setup({ 'POST /api/v1/auth/session': () => [429, { status: 429, title: 'Too Many Requests', detail: 'too many sign-in attempts; retry in 30 s' }, { 'Retry-After': '30' }] })
    await open()
    await userEvent.type(screen.getByLabelText('API key'), 'anything{Enter}')
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts. Try again in 30 s.')
  })
})
