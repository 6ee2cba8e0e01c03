import { act, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { applyLiveEvent } from '../lib/live/live-events'
import { renderWithClient } from '../test/render'
import { ModelChangeToast, TOAST_MS } from './model-change-toast'

const change = (id: number, message: string, kind = 'promoted') => ({
  type: 'models',
  data: { id, created_at: '2026-11-24T09:30:00Z', model: 'cancer', kind, version: 'v2', message },
})

afterEach(() => vi.useRealTimers())

describe('ModelChangeToast', () => {
  it('says what changed when the live channel announces it, and goes after a few seconds', () => {
    vi.useFakeTimers()
    const { client } = renderWithClient(<ModelChangeToast />)
    expect(screen.queryByTestId('model-change-toast')).toBeNull()
    act(() => {
      applyLiveEvent(client, change(7, 'v2 promoted to champion (was v1)'), 'fraud')
      vi.advanceTimersByTime(1) // the query cache tells its observers on the next tick
    })
    expect(screen.getByTestId('model-change-toast')).toHaveTextContent('v2 promoted to champion (was v1)')
    expect(screen.getByTestId('model-change-toast')).toHaveAttribute('data-kind', 'promoted')
    act(() => vi.advanceTimersByTime(TOAST_MS - 100))
    expect(screen.getByTestId('model-change-toast')).toBeInTheDocument()
    act(() => vi.advanceTimersByTime(200))
    expect(screen.queryByTestId('model-change-toast')).toBeNull()
    act(() => {
      applyLiveEvent(client, change(8, 'v1 retired'), 'fraud')
      vi.advanceTimersByTime(1)
    })
    expect(screen.getByTestId('model-change-toast')).toHaveTextContent('v1 retired') // a newer change shows again
  })

  it('stays away for a traffic switch or an incident: they are marks on the charts, not model changes', () => {
    vi.useFakeTimers()
    const { client } = renderWithClient(<ModelChangeToast />)
    for (const [id, kind] of [[10, 'scenario'], [11, 'incident_opened'], [12, 'incident_resolved']] as const) {
      act(() => {
        applyLiveEvent(client, change(id, `event ${id}`, kind), 'fraud')
        vi.advanceTimersByTime(1)
      })
      expect(screen.queryByTestId('model-change-toast')).toBeNull()
    }
    act(() => {
      applyLiveEvent(client, change(13, 'v2 promoted to champion'), 'fraud')
      vi.advanceTimersByTime(1)
    })
    expect(screen.getByTestId('model-change-toast')).toHaveTextContent('v2 promoted to champion')
  })

  it("opens the model's versions in the Models view", async () => {
    const { client } = renderWithClient(<ModelChangeToast />)
    act(() => {
      applyLiveEvent(client, change(9, 'v2 promoted to champion'), 'fraud')
    })
    await userEvent.click(await screen.findByRole('button', { name: 'Versions of cancer' }))
    expect(window.location.search).toBe('?model=cancer')
    expect(window.location.hash).toBe('#/models')
    expect(screen.queryByTestId('model-change-toast')).toBeNull()
  })
})
