import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ago } from './ago'

describe('Ago', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-01T22:00:10Z') }))
  afterEach(() => vi.useRealTimers())

  it('ticks live instead of freezing at its first render', () => {
    render(<Ago iso="2026-12-01T22:00:06Z" />)
    expect(screen.getByText('4 seconds ago')).toBeInTheDocument()
    act(() => vi.advanceTimersByTime(5_000))
    expect(screen.getByText('9 seconds ago')).toBeInTheDocument()
  })
})
