import { act, renderHook } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { backoffDelay, useLiveChannel } from './use-live-channel'

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static instances: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  url: string
  closed = false
  constructor(url: string) {
    this.url = url
    FakeSocket.instances.push(this)
  }
  open() {
    act(() => this.onopen?.())
  }
  receive(message: unknown) {
    act(() => this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) }))
  }
  drop() {
    act(() => this.onclose?.({ code: 1006 }))
  }
  close() {
    this.closed = true
  }
}

const noJitter = { random: () => 0.5 }
const latest = (): FakeSocket => {
  const socket = FakeSocket.instances.at(-1)
  if (!socket) throw new Error('no socket was opened')
  return socket
}

beforeEach(() => {
  FakeSocket.instances = []
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

describe('backoffDelay', () => {
  it('doubles from 0.5 s and stops at 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000])
  })
  it('spreads reconnects by ±20 %', () => {
    expect(backoffDelay(1, { random: () => 0 })).toBe(800)
    expect(backoffDelay(1, { random: () => 1 })).toBe(1200)
  })
})

describe('useLiveChannel', () => {
  const setup = (options: Parameters<typeof useLiveChannel>[1] = {}) =>
    renderHook(() => useLiveChannel('ws://host/ws/live', { WebSocketImpl: FakeSocket, backoff: noJitter, ...options }))

  it('connects, reports live and hands over parsed messages', () => {
    const onMessage = vi.fn()
    const { result } = setup({ onMessage })
    expect(result.current.status).toBe('connecting')
    expect(latest().url).toBe('ws://host/ws/live')
    latest().open()
    expect(result.current.status).toBe('live')
    latest().receive({ type: 'stats', data: { total_predictions: 5 } })
    latest().receive('not json')
    expect(onMessage).toHaveBeenCalledTimes(1)
    expect(onMessage).toHaveBeenCalledWith({ type: 'stats', data: { total_predictions: 5 } }, 'ws://host/ws/live')
  })

  it('reconnects with exponential back-off and resets it after a success', () => {
    const onReconnect = vi.fn()
    const { result } = setup({ onReconnect })
    latest().open()
    latest().drop()
    expect(result.current).toMatchObject({ status: 'reconnecting', attempt: 1, retryInMs: 500 })
    act(() => vi.advanceTimersByTime(499))
    expect(FakeSocket.instances).toHaveLength(1)
    act(() => vi.advanceTimersByTime(1))
    expect(FakeSocket.instances).toHaveLength(2)

    latest().drop() // the backend is still down: wait twice as long
    expect(result.current).toMatchObject({ status: 'reconnecting', attempt: 2, retryInMs: 1000 })
    act(() => vi.advanceTimersByTime(1000))
    expect(FakeSocket.instances).toHaveLength(3)
    latest().drop()
    expect(result.current.retryInMs).toBe(2000)
    act(() => vi.advanceTimersByTime(2000))

    latest().open()
    expect(result.current).toMatchObject({ status: 'live', attempt: 0, retryInMs: null })
    expect(onReconnect).toHaveBeenCalledTimes(1)
    latest().drop()
    expect(result.current.retryInMs).toBe(500)
  })

  it('does not call onReconnect for the first connection; onOpen for every one', () => {
    const onReconnect = vi.fn()
    const onOpen = vi.fn()
    setup({ onReconnect, onOpen })
    latest().open()
    expect(onReconnect).not.toHaveBeenCalled()
    expect(onOpen).toHaveBeenCalledTimes(1)
    latest().drop()
    act(() => vi.advanceTimersByTime(600))
    latest().open()
    expect(onOpen).toHaveBeenCalledTimes(2)
    expect(onReconnect).toHaveBeenCalledWith('ws://host/ws/live')
  })

  it('closes the socket on unmount and does not reconnect', () => {
    const { unmount } = setup()
    const socket = latest()
    socket.open()
    unmount()
    expect(socket.closed).toBe(true)
    socket.drop()
    act(() => vi.advanceTimersByTime(60000))
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('treats an error as a close', () => {
    const { result } = setup()
    const socket = latest()
    socket.close = () => socket.onclose?.({ code: 1006 })
    act(() => socket.onerror?.(new Event('error')))
    expect(result.current.status).toBe('reconnecting')
  })

  it('opens nothing while there is no URL', () => {
    const { result } = renderHook(() => useLiveChannel(null, { WebSocketImpl: FakeSocket }))
    expect(FakeSocket.instances).toHaveLength(0)
    expect(result.current.status).toBe('connecting')
  })

  it("moves to a new URL: closes the old connection, drops its late messages, and reports the new one's state", () => {
    const onMessage = vi.fn()
    const { result, rerender } = renderHook(({ url }) => useLiveChannel(url, { WebSocketImpl: FakeSocket, backoff: noJitter, onMessage }), {
      initialProps: { url: 'ws://host/ws/live?model=a' },
    })
    const first = latest()
    first.open()
    expect(result.current.status).toBe('live')
    rerender({ url: 'ws://host/ws/live?model=b' })
    expect(first.closed).toBe(true)
    const second = latest()
    expect(second.url).toBe('ws://host/ws/live?model=b')
    expect(result.current.status).toBe('connecting') // live was the old connection
    first.receive({ type: 'stats', data: { total_predictions: 1 } }) // already on its way when it closed
    second.open()
    second.receive({ type: 'stats', data: { total_predictions: 2 } })
    expect(onMessage.mock.calls).toEqual([[{ type: 'stats', data: { total_predictions: 2 } }, 'ws://host/ws/live?model=b']])
    expect(result.current.status).toBe('live')
  })
})
