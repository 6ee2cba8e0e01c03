import { createContext, useCallback, useContext, useMemo } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { config, liveUrl } from '../../config/env'
import { applyLiveEvent, refreshAfterReconnect } from './live-events'
import { useLiveChannel } from './use-live-channel'

const LiveContext = createContext({ status: 'connecting', attempt: 0, retryInMs: null })

/** Opens the app's one live channel and feeds its events into the query cache. */
export function LiveProvider({ children, url, WebSocketImpl }) {
  const client = useQueryClient()
  const onMessage = useCallback((message) => applyLiveEvent(client, message), [client])
  const onReconnect = useCallback(() => refreshAfterReconnect(client), [client])
  const target = useMemo(() => url ?? liveUrl(config.apiBaseUrl), [url])
  const state = useLiveChannel(target, { onMessage, onReconnect, WebSocketImpl })
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>
}

export const useLiveStatus = () => useContext(LiveContext)
