import { QueryClientProvider } from '@tanstack/react-query'
import { renderHook, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { cancerEntry, fraudEntry, visit } from '../test/fixtures'
import { stubApi, testClient } from '../test/render'
import { defaultModelName } from './default-model'
import { keys } from './query-keys'
import { useModelSelection, useSelectModel } from './use-selected-model'
import { modelFromSearch, modelUrl } from './model-selection'

const withClient = (client = testClient()) =>
  function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={client}>{children}</QueryClientProvider>
  }

describe('defaultModelName', () => {
  it('is the model marked is_default, else the first listed, else none', () => {
    expect(defaultModelName([fraudEntry, cancerEntry])).toBe('fraud')
    expect(defaultModelName([{ ...fraudEntry, is_default: false }, { ...cancerEntry, is_default: true }])).toBe('cancer')
    // An API without the flag (every entry false): the first listed, as the API lists the default first.
    expect(defaultModelName([{ ...fraudEntry, is_default: false }, cancerEntry])).toBe('fraud')
    expect(defaultModelName([])).toBeNull()
    expect(defaultModelName(undefined)).toBeNull()
  })
})

describe('the model in the URL', () => {
  it('reads ?model= and leaves it out for the default model', () => {
    expect(modelFromSearch('?model=cancer')).toBe('cancer')
    expect(modelFromSearch('?model=%20')).toBeNull()
    expect(modelFromSearch('')).toBeNull()
    const at = { pathname: '/', search: '?model=cancer', hash: '#/drift' }
    expect(modelUrl('fraud', { defaultModel: 'fraud', location: at })).toBe('/#/drift')
    expect(modelUrl('cancer', { defaultModel: 'fraud', view: 'models', location: { ...at, search: '' } })).toBe('/?model=cancer#/models')
  })
})

describe('useModelSelection', () => {
  it('is the default model of the list when the URL names none, and loading until the list is there', async () => {
    stubApi({ 'GET /api/v1/models': [cancerEntry, { ...fraudEntry, is_default: true }] })
    const { result } = renderHook(() => useModelSelection(), { wrapper: withClient() })
    expect(result.current).toEqual({ status: 'loading', name: null })
    await waitFor(() => expect(result.current).toEqual({ status: 'ready', name: 'fraud' }))
  })

  it('is the model the URL names, at once, without waiting for the list', () => {
    visit('/?model=cancer#/drift')
    stubApi({})
    const { result } = renderHook(() => useModelSelection(), { wrapper: withClient() })
    expect(result.current).toEqual({ status: 'ready', name: 'cancer' })
  })

  it('is none when nothing is registered, whatever the URL names', () => {
    visit('/?model=cancer')
    const { result } = renderHook(() => useModelSelection(), { wrapper: withClient(testClient([[keys.models, []]])) })
    expect(result.current).toEqual({ status: 'none', name: null })
  })

  it("is the list's error when it cannot load and the URL names no model", async () => {
    stubApi({ 'GET /api/v1/models': () => [500, { detail: 'database unavailable' }] })
    const { result } = renderHook(() => useModelSelection(), { wrapper: withClient() })
    await waitFor(() => expect(result.current.status).toBe('error'))
  })
})

describe('useSelectModel', () => {
  it('puts a model in the URL, and takes the parameter out for the default one', () => {
    visit('/#/drift')
    const { result } = renderHook(() => useSelectModel(), { wrapper: withClient(testClient([[keys.models, [fraudEntry, cancerEntry]]])) })
    result.current('cancer')
    expect(`${window.location.search}${window.location.hash}`).toBe('?model=cancer#/drift')
    result.current('fraud', 'alerts')
    expect(`${window.location.search}${window.location.hash}`).toBe('#/alerts')
  })
})
