import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { vi } from 'vitest'
import { SignInGateProvider } from '../lib/auth/sign-in-gate'

/** A QueryClient for tests: no retries, optionally pre-filled {key: data}. */
export function testClient(seed = []) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } })
  for (const [key, data] of seed) client.setQueryData(key, data)
  return client
}

/** Render with a query client and the sign-in gate, as main.jsx does. */
export function renderWithClient(ui, { client = testClient() } = {}) {
  const view = render(
    <QueryClientProvider client={client}>
      <SignInGateProvider>{ui}</SignInGateProvider>
    </QueryClientProvider>,
  )
  return { client, ...view }
}

const respond = (status, body, headers = {}) =>
  Promise.resolve(
    status === 204
      ? new Response(null, { status, headers })
      : new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } }),
  )

/**
 * Stub fetch with routes {"GET /api/v1/model": body | (request) => [status, body, headers?]}.
 * Unknown routes answer 404; every call is recorded as {method, path, query, body, headers, credentials}.
 */
export function stubApi(routes) {
  const calls = []
  const fetchMock = vi.fn(async (url, init = {}) => {
    const method = init.method ?? 'GET'
    const parsed = new URL(url, 'http://localhost')
    const body = init.body ? JSON.parse(init.body) : undefined
    const query = Object.fromEntries(parsed.searchParams)
    calls.push({ method, path: parsed.pathname, query, body, headers: init.headers ?? {}, credentials: init.credentials })
    const route = routes[`${method} ${parsed.pathname}`]
    if (route === undefined) return respond(404, { detail: `no route ${method} ${parsed.pathname}` })
    if (typeof route === 'function') {
      const [status, payload, headers] = route({ body, query })
      return respond(status, payload, headers)
    }
    return respond(200, route)
  })
  vi.stubGlobal('fetch', fetchMock)
  return calls
}
