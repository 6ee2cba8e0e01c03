import { config } from '../config/env'
import { API_PREFIX } from '../types/api'
import type { ApiRequestArgs, ApiResult, FieldError, Method, PathsFor, UploadPath } from '../types/api'

interface ApiErrorOptions {
  errors?: FieldError[]
  retryAfter?: number | null
}

/**
 * An HTTP error from the API: its status, the per-field errors of a 422 when there are
 * any, and the Retry-After seconds of a 429.
 */
export class ApiError extends Error {
  readonly status: number
  readonly errors: FieldError[]
  readonly retryAfter: number | null

  constructor(status: number, detail?: string, { errors = [], retryAfter = null }: ApiErrorOptions = {}) {
    super(detail || `Request failed with status ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.errors = errors
    this.retryAfter = retryAfter
  }

  /** 401: no credential, a wrong one or an expired session; signing in again helps. */
  get isAuthError(): boolean {
    return this.status === 401
  }

  /** 403: signed in, but with a role that may not do this. */
  get isForbidden(): boolean {
    return this.status === 403
  }

  /** {field: message} for a validation error, so a form can show each next to its input. */
  get fieldErrors(): Record<string, string> {
    return Object.fromEntries(this.errors.map((e) => [e.field, e.message]))
  }
}

/** An error body as the API sends it (a Problem, or the 422 with its errors). */
interface ErrorBody {
  detail?: unknown
  title?: string
  errors?: FieldError[]
}

interface RequestOptions {
  query?: object
  path?: Record<string, string | number>
  body?: unknown
  signal?: AbortSignal
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail
  if (detail == null) return ''
  return JSON.stringify(detail)
}

function buildUrl(template: string, pathParams: RequestOptions['path'], query: RequestOptions['query']): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(pathParams?.[name])))
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const qs = search.toString()
  return `${config.apiBaseUrl}${API_PREFIX}${path}${qs ? `?${qs}` : ''}`
}

/** Send the session cookie to our own origin, or to the API's when it is another one (CORS with credentials). */
export const credentialsFor = (apiBaseUrl: string): RequestCredentials => (apiBaseUrl ? 'include' : 'same-origin')

function retryAfterSeconds(response: Response): number | null {
  const value = Number(response.headers.get('Retry-After'))
  return Number.isFinite(value) && value > 0 ? value : null
}

const isAbort = (error: unknown) => (error as { name?: unknown } | null)?.name === 'AbortError'

/**
 * One API call. The session cookie goes along (same origin, or the configured API origin);
 * every unsafe request says Content-Type: application/json, body or not, because the
 * backend refuses a cookie-signed write without it. A FormData body (an upload) goes as
 * it is: the browser writes its multipart Content-Type with the boundary.
 */
async function request(method: string, path: string, { query, path: pathParams, body, signal }: RequestOptions = {}): Promise<unknown> {
  let response: Response
  const form = body instanceof FormData
  try {
    response = await fetch(buildUrl(path, pathParams, query), {
      method,
      signal,
      credentials: credentialsFor(config.apiBaseUrl),
      headers: UNSAFE.has(method) && !form ? { 'Content-Type': 'application/json' } : undefined,
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    })
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'The Driftwatch API is unreachable — is the backend running?')
  }
  const payload: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    const problem = (payload ?? {}) as ErrorBody
    throw new ApiError(response.status, describeDetail(problem.detail) || problem.title || response.statusText, {
      errors: problem.errors ?? [],
      retryAfter: retryAfterSeconds(response),
    })
  }
  return payload
}

/** api.get('/drift/history', {query: {feature}}): the path, parameters and answer are those of the OpenAPI document. */
function caller<M extends Method>(method: M) {
  return <P extends PathsFor<M>>(path: P, ...[options]: ApiRequestArgs<M, P>): Promise<ApiResult<M, P>> =>
    request(method.toUpperCase(), path, options as RequestOptions) as Promise<ApiResult<M, P>>
}

/** api.upload('/models', form): POST a multipart form (FormData) to a path that takes one. */
const upload = <P extends UploadPath>(path: P, form: FormData, { signal }: { signal?: AbortSignal } = {}): Promise<ApiResult<'post', P>> =>
  request('POST', path, { body: form, signal }) as Promise<ApiResult<'post', P>>

export const api = {
  get: caller('get'),
  post: caller('post'),
  put: caller('put'),
  delete: caller('delete'),
  upload,
}
