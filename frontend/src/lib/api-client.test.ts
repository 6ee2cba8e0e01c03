import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { stubApi } from '../test/render'
import type { IncidentAction, ModelRow, SimulatorUpdate } from '../types/api'
import { api, ApiError, credentialsFor } from './api-client'

describe('api client', () => {
  it('sends Content-Type: application/json on every unsafe request, body or not', async () => {
    const calls = stubApi({
      'POST /api/v1/alerts/1/acknowledge': { id: 1 },
      'PUT /api/v1/simulator': { scenario: 'sudden' },
      'DELETE /api/v1/auth/session': () => [204],
      'GET /api/v1/stats': { total_predictions: 1 },
    })
    await api.post('/alerts/{alert_id}/acknowledge', { path: { alert_id: 1 } })
    await api.put('/simulator', { body: { scenario: 'sudden' } })
    expect(await api.delete('/auth/session')).toBeNull()
    await api.get('/stats')
    const [post, put, del, get] = calls
    for (const call of [post, put, del]) expect(call.headers).toEqual({ 'Content-Type': 'application/json' })
    expect(post.body).toBeUndefined()
    expect(put.body).toEqual({ scenario: 'sudden' })
    expect(del.method).toBe('DELETE')
    expect(get.headers).toEqual({})
  })

  it('uploads a multipart form as it is: no Content-Type of its own (the browser adds the boundary), the cookie along', async () => {
    const calls = stubApi({ 'POST /api/v1/models': () => [201, { saved: false, name: 'cancer' }] })
    const form = new FormData()
    form.set('name', 'cancer')
    form.set('artifact', new File(['onnx'], 'model.onnx'))
    form.set('dry_run', 'true')
    expect(await api.upload('/models', form)).toMatchObject({ saved: false, name: 'cancer' })
    const [call] = calls
    expect(call).toMatchObject({ method: 'POST', path: '/api/v1/models', headers: {}, credentials: 'same-origin' })
    expect(call.body).toMatchObject({ name: 'cancer', dry_run: 'true' })
    expect((call.body as { artifact: File }).artifact.name).toBe('model.onnx')
  })

  it('sends the session cookie to the same origin, and to another API origin when configured', async () => {
    const calls = stubApi({ 'GET /api/v1/stats': {} })
    await api.get('/stats')
    expect(calls[0].credentials).toBe('same-origin')
    expect(credentialsFor('')).toBe('same-origin')
    expect(credentialsFor('https://api.example')).toBe('include')
  })

  it('keeps the status and tells a missing credential from a missing role', async () => {
    stubApi({
      'PUT /api/v1/simulator': () => [401, { status: 401, title: 'Unauthorized', detail: 'this needs the admin role: sign in' }],
      'POST /api/v1/alerts/1/resolve': () => [403, { status: 403, title: 'Forbidden', detail: 'this needs the admin role; key ab12 has predict' }],
    })
    const unauthorized = await api.put('/simulator', { body: {} as SimulatorUpdate }).catch((e) => e)
    expect(unauthorized).toBeInstanceOf(ApiError)
    expect(unauthorized).toMatchObject({ status: 401, isAuthError: true, isForbidden: false, message: 'this needs the admin role: sign in' })
    const forbidden = await api.post('/alerts/{alert_id}/resolve', { path: { alert_id: 1 } }).catch((e) => e)
    expect(forbidden).toMatchObject({ status: 403, isAuthError: false, isForbidden: true })
  })

  it('reads Retry-After from a 429 and per-field errors from a 422', async () => {
    stubApi({
      'POST /api/v1/auth/session': () => [429, { status: 429, title: 'Too Many Requests', detail: 'too many sign-in attempts' }, { 'Retry-After': '30' }],
      'POST /api/v1/models/m/predict': () => [422, { detail: 'amount: too small', errors: [{ field: 'amount', message: 'too small' }] }],
    })
    const limited = await api.post('/auth/session', { body: { key: 'x' } }).catch((e) => e)
    expect(limited).toMatchObject({ status: 429, retryAfter: 30 })
    const invalid = await api.post('/models/{name}/predict', { path: { name: 'm' }, body: {} as ModelRow }).catch((e) => e)
    expect(invalid.fieldErrors).toEqual({ amount: 'too small' })
  })

  it('fills path parameters and leaves out empty query parameters', async () => {
    const calls = stubApi({ 'GET /api/v1/alerts': { items: [], counts: {} }, 'POST /api/v1/alerts/7/resolve': { id: 7 } })
    await api.get('/alerts', { query: { status: undefined, limit: 4 } })
    await api.post('/alerts/{alert_id}/resolve', { path: { alert_id: 7 } })
    expect(calls.map((c) => [c.method, c.path, c.query])).toEqual([
      ['GET', '/api/v1/alerts', { limit: '4' }],
      ['POST', '/api/v1/alerts/7/resolve', {}],
    ])
  })

  it('types paths, parameters, bodies and answers from the OpenAPI document (tsc checks this)', () => {
    const calls = async () => {
      const drift = await api.get('/models/{name}/drift', { path: { name: 'm' } })
      expectTypeOf(drift.features[0].severity).toEqualTypeOf<'none' | 'moderate' | 'significant'>()
      expectTypeOf(await api.post('/alerts/{alert_id}/resolve', { path: { alert_id: 1 } })).toHaveProperty('status')
      expectTypeOf(await api.delete('/auth/session')).toEqualTypeOf<null>()
      expectTypeOf<IncidentAction>().toEqualTypeOf<'acknowledge' | 'resolve'>()
      // @ts-expect-error: no such path
      await api.get('/no-such-path')
      // @ts-expect-error: there is no POST /models/{name}/stats
      await api.post('/models/{name}/stats', { path: { name: 'm' } })
      // @ts-expect-error: GET /models/{name}/drift/history needs its feature
      await api.get('/models/{name}/drift/history', { path: { name: 'm' } })
      // @ts-expect-error: the alert id is a path parameter
      await api.post('/alerts/{alert_id}/resolve')
      // @ts-expect-error: signing in takes {key}
      await api.post('/auth/session', { body: { password: 'x' } })
    }
    expect(calls).toBeTypeOf('function') // never called: the checks above are tsc's
  })

  it('says when the API cannot be reached', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    await expect(api.get('/stats')).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/is the backend running/) })
  })
})
