import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { stubApi, testClient } from '../../test/render'
import { ADMIN_KEY, sessionApi } from '../../test/session-api'
import { api } from '../api-client'
import { keys } from '../query-keys'
import { useSession, useSignIn, useSignOut } from './session'

const wrapper = (client: QueryClient) =>
  function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={client}>{children}</QueryClientProvider>
  }

describe('session hooks', () => {
  it('reads the session, signs in (what failed for want of it is refetched) and signs out', async () => {
    const auth = sessionApi()
    const calls = stubApi({ ...auth.routes, 'GET /api/v1/models': () => [401, { status: 401, title: 'Unauthorized', detail: 'sign in' }] })
    const client = testClient()
    client.prefetchQuery({ queryKey: keys.models, queryFn: () => api.get('/models') })
    const { result } = renderHook(() => ({ session: useSession(), signIn: useSignIn(), signOut: useSignOut() }), { wrapper: wrapper(client) })
    await waitFor(() => expect(result.current.session.data).toMatchObject({ authenticated: false, reads_require_auth: false }))
    await waitFor(() => expect(client.getQueryState(keys.models)?.status).toBe('error'))

    await act(() => result.current.signIn.mutateAsync(ADMIN_KEY))
    expect(client.getQueryData(keys.session)).toMatchObject({ authenticated: true, role: 'admin', key_id: 'a1b2c3d4' })
    expect(client.getQueryState(keys.models)?.isInvalidated).toBe(true)

    await act(() => result.current.signOut.mutateAsync())
    expect(client.getQueryData(keys.session)).toMatchObject({ authenticated: false, role: null, key_id: null })
    const del = calls.find((c) => c.method === 'DELETE')
    expect(del).toMatchObject({ path: '/api/v1/auth/session', headers: { 'Content-Type': 'application/json' }, credentials: 'same-origin' })
  })
})
