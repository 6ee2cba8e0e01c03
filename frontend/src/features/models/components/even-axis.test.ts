import { describe, expect, it } from 'vitest'
import { evenAxis } from './comparison-card'

describe('evenAxis', () => {
  it('spans the figures with evenly spaced round ticks', () => {
    const { domain, ticks } = evenAxis([0.38, 0.51, 0.84, 0.9], [], [0, 1])
    expect(domain).toEqual([0.3, 0.9])
    expect(ticks).toEqual([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
  })

  it('keeps the band and zero in view', () => {
    const { domain, ticks } = evenAxis([0.29, 0.15, 0.45, -0.02], [0])
    expect(domain[0]).toBeLessThanOrEqual(-0.02)
    expect(domain[1]).toBeGreaterThanOrEqual(0.45)
    const gaps = ticks!.slice(1).map((t, i) => Number((t - ticks![i]).toFixed(4)))
    expect(new Set(gaps).size).toBe(1)
    expect(ticks).toContain(0)
  })

  it('never leaves the bounds', () => {
    expect(evenAxis([0.97, 0.999], [], [0, 1]).domain[1]).toBe(1)
  })
})
