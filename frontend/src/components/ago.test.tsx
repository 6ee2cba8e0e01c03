import { act, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ago, Elapsed } from './ago'

describe('Ago', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-01T22:00:10Z') }))
  afterEach(() => vi.useRealTimers())

  it('ticks live instead of freezing at its first render', () => {
    render(<Ago iso="2026-12-01T22:00:06Z" />)
    expect(screen.getByText('4 seconds ago')).toBeInTheDocument()
    act(() => vi.advanceTimersByTime(5_000))
    expect(screen.getByText('9 seconds ago')).toBeInTheDocument()
  })

  it('counts a duration up while it lasts, and holds one that ended', () => {
    render(
      <>
        <span data-testid="open"><Elapsed since="2026-12-01T21:58:05Z" /></span>
        <span data-testid="ended"><Elapsed since="2026-12-01T21:50:00Z" until="2026-12-01T21:56:00Z" /></span>
      </>,
    )
    expect(screen.getByTestId('open')).toHaveTextContent('2 min 5 s')
    act(() => vi.advanceTimersByTime(3_000))
    expect(screen.getByTestId('open')).toHaveTextContent('2 min 8 s')
    expect(screen.getByTestId('ended')).toHaveTextContent('6 min 0 s')
  })
})
