import { config } from '../config/env'

/**
 * An HTTP error from the API: its status, the per-field errors of a 422 when there are
 * any, and the Retry-After seconds of a 429.
 */
export class ApiError extends Error {
  constructor(status, detail, { errors = [], retryAfter = null } = {}) {
    super(detail || `Request failed with status ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.errors = errors
    this.retryAfter = retryAfter
  }

  /** 401: no credential, a wrong one or an expired session; signing in again helps. */
  get isAuthError() {
    return this.status === 401
  }

  /** 403: signed in, but with a role that may not do this. */
  get isForbidden() {
    return this.status === 403
  }

  /** {field: message} for a validation error, so a form can show each next to its input. */
  get fieldErrors() {
    return Object.fromEntries(this.errors.map((e) => [e.field, e.message]))
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function describeDetail(detail) {
  if (typeof detail === 'string') return detail
  if (detail == null) return ''
  return JSON.stringify(detail)
}

function buildUrl(path, params) {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value))
  }
  const qs = query.toString()
  return `${config.apiBaseUrl}/api/v1${path}${qs ? `?${qs}` : ''}`
}

/** Send the session cookie to our own origin, or to the API's when it is another one (CORS with credentials). */
export const credentialsFor = (apiBaseUrl) => (apiBaseUrl ? 'include' : 'same-origin')

function retryAfterSeconds(response) {
  const value = Number(response.headers.get('Retry-After'))
  return Number.isFinite(value) && value > 0 ? value : null
}

/**
 * One API call. The session cookie goes along (same origin, or the configured API origin);
 * every unsafe request says Content-Type: application/json, body or not, because the
 * backend refuses a cookie-signed write without it.
 */
async function request(path, { method = 'GET', params, body, signal } = {}) {
  let response
  try {
    response = await fetch(buildUrl(path, params), {
      method,
      signal,
      credentials: credentialsFor(config.apiBaseUrl),
      headers: UNSAFE.has(method) ? { 'Content-Type': 'application/json' } : undefined,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    if (error.name === 'AbortError') throw error
    throw new ApiError(0, 'The Driftwatch API is unreachable — is the backend running?')
  }
  const payload = await response.json().catch(() => null)
  if (!response.ok) {
    throw new ApiError(response.status, describeDetail(payload?.detail) || payload?.title || response.statusText, {
      errors: payload?.errors ?? [],
      retryAfter: retryAfterSeconds(response),
    })
  }
  return payload
}

export const api = {
  get: (path, params, signal) => request(path, { params, signal }),
  post: (path, body) => request(path, { method: 'POST', body }),
  put: (path, body) => request(path, { method: 'PUT', body }),
  delete: (path) => request(path, { method: 'DELETE' }),
}
