import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { act, renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { session } from '../../test/fixtures'
import type { Role } from '../../types/api'
import { testClient } from '../../test/render'
import { ApiError } from '../api-client'
import { keys } from '../query-keys'
import { SignInGateProvider, useActionError, useSignedInAction, useSignInGate } from './sign-in-gate'

function hook<T>(callback: () => T, client = testClient()) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <SignInGateProvider>{children}</SignInGateProvider>
    </QueryClientProvider>
  )
  return { client, ...renderHook(callback, { wrapper }) }
}

/** A mutate that fails once with `error`, then succeeds. */
type Mutate = (variables: unknown, options: { onError: (error: Error) => void }) => void

const failingOnce = (error: Error | null) => {
  let failed = false
  return vi.fn<Mutate>((variables, { onError }) => {
    if (!failed && error) {
      failed = true
      onError?.(error)
    }
  })
}

describe('useSignedInAction', () => {
  const guarded = (mutate: Mutate, client?: QueryClient) => hook(() => ({ run: useSignedInAction(mutate), gate: useSignInGate() }), client)

  it('acts at once when signed in', () => {
    const mutate = vi.fn<Mutate>()
    const { result } = guarded(mutate, testClient([[keys.session, session('admin')]]))
    act(() => result.current.run({ scenario: 'sudden' }))
    expect(mutate).toHaveBeenCalledWith({ scenario: 'sudden' }, expect.any(Object))
    expect(result.current.gate.prompt).toBeNull()
  })

  it('asks first when signed out and acts once signed in; nothing on cancel', () => {
    const mutate = vi.fn<Mutate>()
    const { result } = guarded(mutate, testClient([[keys.session, session(null)]]))
    act(() => result.current.run({ id: 1 }))
    expect(result.current.gate.prompt).toEqual({ reason: 'action' })
    expect(mutate).not.toHaveBeenCalled()
    act(() => result.current.gate.cancel())
    act(() => result.current.run({ id: 2 }))
    act(() => result.current.gate.signedIn())
    expect(mutate.mock.calls.map(([v]) => v)).toEqual([{ id: 2 }])
    expect(result.current.gate.prompt).toBeNull()
  })

  it('tries while the session is unknown; a 401 then asks and signs the header out', () => {
    const mutate = failingOnce(new ApiError(401, 'sign in'))
    const { result, client } = guarded(mutate)
    act(() => result.current.run({ id: 1 }))
    expect(result.current.gate.prompt).toEqual({ reason: 'action' })
    expect(client.getQueryData(keys.session)).toMatchObject({ authenticated: false, role: null })
    act(() => result.current.gate.signedIn())
    expect(mutate).toHaveBeenCalledTimes(2)
  })

  it('says a signed-in session has expired on a 401', () => {
    const mutate = failingOnce(new ApiError(401, 'session expired'))
    const { result } = guarded(mutate, testClient([[keys.session, session('admin')]]))
    act(() => result.current.run({ id: 1 }))
    expect(result.current.gate.prompt).toEqual({ reason: 'expired' })
  })

  it('leaves other errors to the action', () => {
    const mutate = failingOnce(new ApiError(409, 'cannot acknowledge a resolved alert'))
    const { result } = guarded(mutate, testClient([[keys.session, session('admin')]]))
    act(() => result.current.run({ id: 1 }))
    expect(result.current.gate.prompt).toBeNull()
  })
})

describe('useActionError', () => {
  const message = (error: Error | null, role: Role = 'predict') =>
    hook(() => useActionError(error), testClient([[keys.session, session(role)]])).result.current

  it('hides a 401, names the role on a 403 and passes anything else through', () => {
    expect(message(null)).toBeNull()
    expect(message(new ApiError(401, 'sign in'))).toBeNull()
    expect(message(new ApiError(403, 'needs admin'))).toBe(
      'The signed-in key (predict) may not do this. Sign out and sign in with an admin key (ADMIN_API_KEYS).',
    )
    expect(message(new ApiError(409, 'cannot acknowledge a resolved alert'))).toBe('cannot acknowledge a resolved alert')
  })
})
