/**
 * Build-time settings, validated once. The app is same-origin by default:
 * REST calls go to relative /api/v1 and the live channel to ws(s)://<host>/ws/live.
 * VITE_API_BASE_URL (optional) points both at another origin, e.g. http://api.example:8000.
 */

export function parseApiBaseUrl(raw: string | undefined): string {
  const value = (raw ?? '').trim()
  if (value === '') return ''
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`VITE_API_BASE_URL must be an absolute http(s) URL, got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`VITE_API_BASE_URL must use http or https, got "${url.protocol}"`)
  }
  return value.replace(/\/+$/, '')
}

export function liveUrl(apiBaseUrl: string, location: Pick<Location, 'origin'> = globalThis.location): string {
  const origin = apiBaseUrl || location.origin
  return `${origin.replace(/^http/, 'ws')}/ws/live`
}

export const config = Object.freeze({
  apiBaseUrl: parseApiBaseUrl(import.meta.env.VITE_API_BASE_URL),
  // The monitoring worker's default cycle, WORKER_INTERVAL_S (interval_s in
  // monitoring-worker/worker/config.py), which no API response carries;
  // backend/tests/test_frontend_contract.py holds the two equal.
  driftCycleSeconds: 30,
})
