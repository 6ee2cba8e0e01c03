import { act, waitFor } from '@testing-library/react'
import { expect } from 'vitest'

/** A WebSocket stand-in: the live channel sets its handlers, the test calls them. */
export class FakeSocket {
  static all: FakeSocket[] = []
  onopen: (() => void) | null = null
  onmessage: ((event: { data: string }) => void) | null = null
  onclose: ((event: { code: number }) => void) | null = null
  onerror: (() => void) | null = null
  url: string
  closed = false

  constructor(url: string) {
    this.url = url
    FakeSocket.all.push(this)
  }

  /** The newest connection. */
  static get last(): FakeSocket {
    const socket = FakeSocket.all.at(-1)
    if (!socket) throw new Error('no live channel was opened')
    return socket
  }

  close() {
    this.closed = true
  }
  open() {
    act(() => this.onopen?.())
  }
  receive(message: unknown) {
    act(() => this.onmessage?.({ data: JSON.stringify(message) }))
  }
  drop() {
    act(() => this.onclose?.({ code: 1006 }))
  }
}

/** Waits until the newest connection goes to `url` (the model list decides it), and opens it. */
export async function openChannel(url: string): Promise<FakeSocket> {
  await waitFor(() => expect(FakeSocket.all.at(-1)?.url).toBe(url))
  const socket = FakeSocket.last
  socket.open()
  return socket
}
