import { config } from '../config/env'

/** An HTTP error from the API, with the per-field errors of a 422 when there are any. */
class ApiError extends Error {
  constructor(status, detail, errors = []) {
    super(detail || `Request failed with status ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.errors = errors
  }

  /** {field: message} for a validation error, so a form can show each next to its input. */
  get fieldErrors() {
    return Object.fromEntries(this.errors.map((e) => [e.field, e.message]))
  }
}

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

async function request(path, { method = 'GET', params, body, signal } = {}) {
  let response
  try {
    response = await fetch(buildUrl(path, params), {
      method,
      signal,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch (error) {
    if (error.name === 'AbortError') throw error
    throw new ApiError(0, 'The Driftwatch API is unreachable — is the backend running?')
  }
  const payload = await response.json().catch(() => null)
  if (!response.ok) {
    throw new ApiError(response.status, describeDetail(payload?.detail) || response.statusText, payload?.errors ?? [])
  }
  return payload
}

export const api = {
  get: (path, params, signal) => request(path, { params, signal }),
  post: (path, body) => request(path, { method: 'POST', body }),
  put: (path, body) => request(path, { method: 'PUT', body }),
}
