import type { Role } from '../types/api'
import { session } from './fixtures'
import type { StubAnswer, StubRequest, StubRoute, StubRoutes } from './render'

export const ADMIN_KEY = 'dwa_test_admin_key'
export const PREDICT_KEY = 'dwp_test_predict_key'

const ROLES: Record<string, Role> = { [ADMIN_KEY]: 'admin', [PREDICT_KEY]: 'predict' }

/**
 * The session routes of the contract, in memory: GET tells who is signed in, POST takes
 * {key} (admin or predict; anything else 401), DELETE signs out. `state.role` is the
 * signed-in role (null when signed out); `expire()` ends the session on the server side.
 */
export function sessionApi({ role = null }: { role?: Role | null } = {}) {
  const state = { role }
  const routes: StubRoutes = {
    'GET /api/v1/auth/session': () => [200, session(state.role)],
    'POST /api/v1/auth/session': ({ body }) => {
      const granted = ROLES[body?.key]
      if (!granted) return [401, { status: 401, title: 'Unauthorized', detail: "that key is not valid: use ADMIN_API_KEYS from the project's .env" }]
      state.role = granted
      return [200, session(granted)]
    },
    'DELETE /api/v1/auth/session': () => {
      state.role = null
      return [204]
    },
  }
  /** Wrap a route so it answers 401 while signed out and 403 for a role below `needs`. */
  const guarded = (route: StubRoute, needs: Role = 'admin') => (request: StubRequest): StubAnswer => {
    if (!state.role) return [401, { status: 401, title: 'Unauthorized', detail: `this needs the ${needs} role: send an API key as X-API-Key or sign in` }]
    if (needs === 'admin' && state.role !== 'admin') return [403, { status: 403, title: 'Forbidden', detail: `this needs the admin role; key a1b2c3d4 has ${state.role}` }]
    return typeof route === 'function' ? route(request) : [200, route]
  }
  return { routes, state, guarded, expire: () => (state.role = null) }
}
