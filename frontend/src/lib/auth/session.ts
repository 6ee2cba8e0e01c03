/**
 * The dashboard session, in the one data layer: who is signed in (GET /auth/session),
 * signing in with a key (POST, the backend sets an httpOnly cookie the page never sees)
 * and signing out (DELETE).
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import type { Session } from '../../types/api'
import { api } from '../api-client'
import { keys } from '../query-keys'

const SIGNED_OUT = { authenticated: false, role: null, key_id: null, expires_at: null, method: null } as const

/** {authenticated, role, key_id, expires_at, method, reads_require_auth}; undefined until known. */
export const useSession = () =>
  useQuery({ queryKey: keys.session, queryFn: ({ signal }) => api.get('/auth/session', { signal }) })

/** Whether an admin is signed in: what promoting, rolling back, retraining and registering need. */
export function useIsAdmin(): boolean {
  const session = useSession().data
  return Boolean(session?.authenticated && session.role === 'admin')
}

/** The session has ended (sign-out, or a 401 on an action): the header turns read-only at once. */
export function markSignedOut(client: QueryClient) {
  client.setQueryData<Session>(keys.session, (session) => ({ reads_require_auth: false, ...session, ...SIGNED_OUT }))
}

/** Exchange a key for a session cookie; what failed without one (reads, when they need it) loads again. */
export function useSignIn() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (key: string) => api.post('/auth/session', { body: { key } }),
    onSuccess: async (session) => {
      await client.cancelQueries({ queryKey: keys.session })
      client.setQueryData(keys.session, session)
      client.invalidateQueries({ predicate: (query) => query.state.status === 'error' })
    },
  })
}

export function useSignOut() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => api.delete('/auth/session'),
    onSuccess: () => markSignedOut(client),
  })
}
