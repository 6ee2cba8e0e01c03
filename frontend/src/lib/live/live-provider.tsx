import { createContext, useCallback, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { config, liveUrl } from '../../config/env'
import { useModelSelection } from '../use-selected-model'
import { applyLiveEvent, leaveModel, refreshAfterReconnect, refreshFailedReads } from './live-events'
import { useLiveChannel, type ChannelState, type SocketFactory } from './use-live-channel'

const LiveContext = createContext<ChannelState>({ status: 'connecting', attempt: 0, retryInMs: null })

interface LiveProviderProps {
  children: ReactNode
  /** The channel's URL without its model (default: /ws/live of the API's origin). */
  url?: string
  WebSocketImpl?: SocketFactory
}

/** The channel of `model`: `?model=<name>` on `base`; without a model, the channel of everyone's messages only. */
export function channelUrl(base: string, model: string | null): string {
  if (model === null) return base
  const url = new URL(base)
  url.searchParams.set('model', model)
  return url.toString()
}

/** The model a channel's URL is for (its `?model=`); null for none. */
export const channelModel = (url: string): string | null => new URL(url).searchParams.get('model')

/**
 * Opens the app's one live channel, for the selected model, and feeds its messages into the query
 * cache: each message goes into the keys of the model its connection is for. Selecting another
 * model closes the channel and opens one for it; the model left keeps no live series. While the
 * model list loads there is no channel; with no model (nothing registered, or the list failing)
 * the channel carries everyone's messages only, and a connection that opens reads again what failed.
 */
export function LiveProvider({ children, url, WebSocketImpl }: LiveProviderProps) {
  const client = useQueryClient()
  const selection = useModelSelection()
  const model = selection.name
  const base = useMemo(() => url ?? liveUrl(config.apiBaseUrl), [url])
  const target = selection.status === 'loading' ? null : channelUrl(base, model)

  const onMessage = useCallback((message: unknown, from: string) => applyLiveEvent(client, message, channelModel(from)), [client])
  const onOpen = useCallback(() => refreshFailedReads(client), [client])
  const onReconnect = useCallback((from: string) => refreshAfterReconnect(client, channelModel(from)), [client])
  const state = useLiveChannel(target, { onMessage, onOpen, onReconnect, WebSocketImpl })

  const shown = useRef(model)
  useEffect(() => {
    const left = shown.current
    shown.current = model
    if (left !== null && left !== model) leaveModel(client, left)
  }, [client, model])

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>
}

export const useLiveStatus = () => useContext(LiveContext)
