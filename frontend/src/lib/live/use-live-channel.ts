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
  /** Every JSON message, with the URL of the connection it came on. */
  onMessage?: (message: unknown, url: string) => void
  /** A connection to `url` opened (the first one or a later one). */
  onOpen?: (url: string) => void
  /** A connection to `url` opened after a lost one: events may have been missed meanwhile. */
  onReconnect?: (url: string) => void
  WebSocketImpl?: SocketFactory
  backoff?: Backoff
}

/** The wait before reconnect attempt n (0-based): doubling from 0.5 s, capped at 15 s, ±20 % jitter. */
export function backoffDelay(attempt: number, { initialMs = INITIAL_DELAY_MS, maxMs = MAX_DELAY_MS, random = Math.random }: Backoff = {}): number {
  const base = Math.min(initialMs * 2 ** attempt, maxMs)
  return Math.round(base * (0.8 + 0.4 * random()))
}

const CONNECTING: ChannelState = { status: 'connecting', attempt: 0, retryInMs: null }

/**
 * Keep one WebSocket open to `url`, reconnecting with exponential back-off; none while `url` is
 * null. A new `url` closes the connection and opens one to it: a message of the closed one is
 * dropped, never handed over as the new one's. Returns {status: 'connecting' | 'live' |
 * 'reconnecting', attempt, retryInMs} of the connection to `url`.
 */
export function useLiveChannel(
  url: string | null,
  { onMessage, onOpen, onReconnect, WebSocketImpl = globalThis.WebSocket, backoff = {} }: ChannelOptions = {},
): ChannelState {
  // The state of the connection to one URL: a state of another URL's reads as connecting.
  const [state, setState] = useState<ChannelState & { url: string | null }>({ ...CONNECTING, url: null })
  const handleMessage = useEffectEvent((message: unknown, from: string) => onMessage?.(message, from))
  const handleOpen = useEffectEvent((from: string) => onOpen?.(from))
  const handleReconnect = useEffectEvent((from: string) => onReconnect?.(from))
  const backoffRef = useRef(backoff)

  useEffect(() => {
    if (url === null) return
    let socket: SocketLike | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let everOpened = false
    let stopped = false

    const connect = () => {
      const current = new WebSocketImpl(url)
      socket = current
      current.onopen = () => {
        if (stopped) return
        const reconnected = everOpened
        everOpened = true
        attempt = 0
        setState({ status: 'live', attempt: 0, retryInMs: null, url })
        handleOpen(url)
        if (reconnected) handleReconnect(url)
      }
      current.onmessage = (event) => {
        if (stopped) return
        let message: unknown
        try {
          message = JSON.parse(event.data)
        } catch {
          return
        }
        handleMessage(message, url)
      }
      current.onclose = () => {
        if (stopped) return
        const delay = backoffDelay(attempt, backoffRef.current)
        attempt += 1
        setState({ status: 'reconnecting', attempt, retryInMs: delay, url })
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

  const { url: stateUrl, ...channel } = state
  return url !== null && stateUrl === url ? channel : CONNECTING
}
