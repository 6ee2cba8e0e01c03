import { useEffect, useEffectEvent, useRef, useState } from 'react'

const INITIAL_DELAY_MS = 500
const MAX_DELAY_MS = 15000

export interface Backoff {
  initialMs?: number
  maxMs?: number
  random?: () => number
}

export type ChannelStatus = 'connecting' | 'live' | 'reconnecting'

export interface ChannelState {
  status: ChannelStatus
  attempt: number
  retryInMs: number | null
}

/** The part of the WebSocket API the channel uses, so tests can hand in a stand-in. */
export type SocketLike = Pick<WebSocket, 'onopen' | 'onmessage' | 'onclose' | 'onerror' | 'close'>
export type SocketFactory = new (url: string) => SocketLike

interface ChannelOptions {
  onMessage?: (message: unknown) => void
  onReconnect?: () => void
  WebSocketImpl?: SocketFactory
  backoff?: Backoff
}

/** The wait before reconnect attempt n (0-based): doubling from 0.5 s, capped at 15 s, ±20 % jitter. */
export function backoffDelay(attempt: number, { initialMs = INITIAL_DELAY_MS, maxMs = MAX_DELAY_MS, random = Math.random }: Backoff = {}): number {
  const base = Math.min(initialMs * 2 ** attempt, maxMs)
  return Math.round(base * (0.8 + 0.4 * random()))
}

/**
 * Keep one WebSocket open to `url`, reconnecting with exponential back-off.
 * Returns {status: 'connecting' | 'live' | 'reconnecting', attempt, retryInMs}.
 * `onMessage(parsed)` gets every JSON message; `onReconnect()` runs when a connection
 * opens after a lost one (events may have been missed meanwhile).
 */
export function useLiveChannel(
  url: string,
  { onMessage, onReconnect, WebSocketImpl = globalThis.WebSocket, backoff = {} }: ChannelOptions = {},
): ChannelState {
  const [state, setState] = useState<ChannelState>({ status: 'connecting', attempt: 0, retryInMs: null })
  const handleMessage = useEffectEvent((message: unknown) => onMessage?.(message))
  const handleReconnect = useEffectEvent(() => onReconnect?.())
  const backoffRef = useRef(backoff)

  useEffect(() => {
    let socket: SocketLike | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let everOpened = false
    let stopped = false

    const connect = () => {
      const current = new WebSocketImpl(url)
      socket = current
      current.onopen = () => {
        if (everOpened) handleReconnect()
        everOpened = true
        attempt = 0
        setState((s) => ({ ...s, status: 'live', attempt: 0, retryInMs: null }))
      }
      current.onmessage = (event) => {
        let message: unknown
        try {
          message = JSON.parse(event.data)
        } catch {
          return
        }
        handleMessage(message)
      }
      current.onclose = () => {
        if (stopped) return
        const delay = backoffDelay(attempt, backoffRef.current)
        attempt += 1
        setState((s) => ({ ...s, status: 'reconnecting', attempt, retryInMs: delay }))
        timer = setTimeout(connect, delay)
      }
      current.onerror = () => current.close()
    }

    connect()
    return () => {
      stopped = true
      clearTimeout(timer)
      if (socket) {
        socket.onclose = null
        socket.close()
      }
    }
  }, [url, WebSocketImpl])

  return state
}
