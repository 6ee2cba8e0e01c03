import { QueryClient, QueryClientProvider, type QueryKey } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { vi } from 'vitest'
import { SignInGateProvider } from '../lib/auth/sign-in-gate'

/** A QueryClient for tests: no retries, optionally pre-filled {key: data}. */
export function testClient(seed: [QueryKey, unknown][] = []) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } })
  for (const [key, data] of seed) client.setQueryData(key, data)
  return client
}

/** Render with a query client and the sign-in gate, as main.tsx does. */
export function renderWithClient(ui: ReactNode, { client = testClient() }: { client?: QueryClient } = {}) {
  const view = render(
    <QueryClientProvider client={client}>
      <SignInGateProvider>{ui}</SignInGateProvider>
    </QueryClientProvider>,
  )
  return { client, ...view }
}

/** A request as a stubbed route sees it: the parsed JSON body (a multipart form's fields by name) and the query string. */
export interface StubRequest {
  // The tests' own bodies, read back field by field: any keeps them short.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  query: Record<string, string>
}
export type StubAnswer = [status: number, body?: unknown, headers?: Record<string, string>]
export type StubRoute = ((request: StubRequest) => StubAnswer) | object
export type StubRoutes = Record<string, StubRoute>

/** One fetch the stub answered. */
export interface StubCall {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  headers: HeadersInit
  credentials: RequestCredentials | undefined
}

const respond = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Promise.resolve(
    status === 204
      ? new Response(null, { status, headers })
      : new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } }),
  )

/**
 * Stub fetch with routes {"GET /api/v1/model": body | (request) => [status, body, headers?]}.
 * Unknown routes answer 404; every call is recorded as {method, path, query, body, headers, credentials}.
 */
export function stubApi(routes: StubRoutes): StubCall[] {
  const calls: StubCall[] = []
  const fetchMock = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const parsed = new URL(url, 'http://localhost')
    const body: unknown =
      init.body instanceof FormData ? Object.fromEntries(init.body.entries()) : init.body ? JSON.parse(String(init.body)) : undefined
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
