import { useEffect, useRef, useState } from 'react'

const INITIAL_DELAY_MS = 500
const MAX_DELAY_MS = 15000

/** The wait before reconnect attempt n (0-based): doubling from 0.5 s, capped at 15 s, ±20 % jitter. */
export function backoffDelay(attempt, { initialMs = INITIAL_DELAY_MS, maxMs = MAX_DELAY_MS, random = Math.random } = {}) {
  const base = Math.min(initialMs * 2 ** attempt, maxMs)
  return Math.round(base * (0.8 + 0.4 * random()))
}

/**
 * Keep one WebSocket open to `url`, reconnecting with exponential back-off.
 * Returns {status: 'connecting' | 'live' | 'reconnecting', attempt, retryInMs}.
 * `onMessage(parsed)` gets every JSON message; `onReconnect()` runs when a connection
 * opens after a lost one (events may have been missed meanwhile).
 */
export function useLiveChannel(url, { onMessage, onReconnect, WebSocketImpl = globalThis.WebSocket, backoff = {} } = {}) {
  const [state, setState] = useState({ status: 'connecting', attempt: 0, retryInMs: null })
  const handlers = useRef({ onMessage, onReconnect })
  handlers.current = { onMessage, onReconnect }
  const backoffRef = useRef(backoff)

  useEffect(() => {
    let socket = null
    let timer = null
    let attempt = 0
    let everOpened = false
    let stopped = false

    const connect = () => {
      socket = new WebSocketImpl(url)
      socket.onopen = () => {
        if (everOpened) handlers.current.onReconnect?.()
        everOpened = true
        attempt = 0
        setState((s) => ({ ...s, status: 'live', attempt: 0, retryInMs: null }))
      }
      socket.onmessage = (event) => {
        let message
        try {
          message = JSON.parse(event.data)
        } catch {
          return
        }
        handlers.current.onMessage?.(message)
      }
      socket.onclose = () => {
        if (stopped) return
        const delay = backoffDelay(attempt, backoffRef.current)
        attempt += 1
        setState((s) => ({ ...s, status: 'reconnecting', attempt, retryInMs: delay }))
        timer = setTimeout(connect, delay)
      }
      socket.onerror = () => socket.close()
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
