import { act, renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useTweenedNumber } from './use-tweened-number'

const reducedMotion = (matches: boolean) =>
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: matches && query === '(prefers-reduced-motion: reduce)', media: query }))

beforeEach(() => vi.useFakeTimers())
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('useTweenedNumber', () => {
  it('eases from the old value to the new one over its duration, frame by frame', () => {
    const { result, rerender } = renderHook(({ value }) => useTweenedNumber(value, 900), { initialProps: { value: 100 } })
    expect(result.current).toBe(100)
    rerender({ value: 1000 })
    expect(result.current).toBe(100)
    act(() => vi.advanceTimersByTime(300))
    expect(result.current).toBeGreaterThan(100)
    expect(result.current).toBeLessThan(1000)
    act(() => vi.advanceTimersByTime(700))
    expect(result.current).toBe(1000)
  })

  it('jumps straight to the value when the user prefers reduced motion', () => {
    reducedMotion(true)
    const { result, rerender } = renderHook(({ value }) => useTweenedNumber(value), { initialProps: { value: 100 } })
    rerender({ value: 1000 })
    expect(result.current).toBe(1000)
  })
})
