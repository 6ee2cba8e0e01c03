import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { config, liveUrl } from '../../config/env'
import { useSelectedModel } from '../use-selected-model'
import { applyLiveEvent, refreshAfterReconnect } from './live-events'
import { useLiveChannel, type ChannelState, type SocketFactory } from './use-live-channel'

const LiveContext = createContext<ChannelState>({ status: 'connecting', attempt: 0, retryInMs: null })

interface LiveProviderProps {
  children: ReactNode
  url?: string
  WebSocketImpl?: SocketFactory
}

/** Opens the app's one live channel and feeds its events into the query cache. */
export function LiveProvider({ children, url, WebSocketImpl }: LiveProviderProps) {
  const client = useQueryClient()
  const model = useSelectedModel()
  const onMessage = useCallback((message: unknown) => applyLiveEvent(client, message, model), [client, model])
  const onReconnect = useCallback(() => refreshAfterReconnect(client, model), [client, model])
  const target = useMemo(() => url ?? liveUrl(config.apiBaseUrl), [url])
  const state = useLiveChannel(target, { onMessage, onReconnect, WebSocketImpl })
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>
}

export const useLiveStatus = () => useContext(LiveContext)
