/**
 * Which model the URL names: `?model=<name>`, beside the view in the hash (`/?model=cancer#/drift`).
 * No parameter means the default model (use-selected-model.ts resolves it from the model list),
 * so the default model's URLs need no parameter and stay as they were.
 */
import { useSyncExternalStore } from 'react'
import type { ViewId } from '../types/view'

/** Fired when selectModel changes the URL (pushState fires no event of its own). */
const LOCATION_EVENT = 'driftwatch:location'

/** The model `?model=` names; null when the URL names none. */
export const modelFromSearch = (search: string | null | undefined): string | null =>
  new URLSearchParams(search ?? '').get('model')?.trim() || null

/** Calls `notify` whenever the view or the model in the URL may have changed (links, Back, selectModel). */
export function subscribeLocation(notify: () => void): () => void {
  window.addEventListener('hashchange', notify)
  window.addEventListener('popstate', notify)
  window.addEventListener(LOCATION_EVENT, notify)
  return () => {
    window.removeEventListener('hashchange', notify)
    window.removeEventListener('popstate', notify)
    window.removeEventListener(LOCATION_EVENT, notify)
  }
}

/** The model the URL names, kept in step with links, Back and selectModel; null when it names none. */
export const useModelParam = (): string | null => useSyncExternalStore(subscribeLocation, () => modelFromSearch(window.location.search))

interface ModelUrlOptions {
  /** The view to open; the current one when not given. */
  view?: ViewId
  /** The default model, whose URL leaves the parameter out. */
  defaultModel?: string | null
  location?: Pick<Location, 'pathname' | 'search' | 'hash'>
}

/** The URL that shows `model` (in `view`, else the current view). */
export function modelUrl(model: string, { view, defaultModel = null, location = window.location }: ModelUrlOptions = {}): string {
  const search = new URLSearchParams(location.search)
  if (model === defaultModel) search.delete('model')
  else search.set('model', model)
  const query = search.toString()
  return `${location.pathname}${query ? `?${query}` : ''}${view ? `#/${view}` : location.hash}`
}

/** Show `model`, in `view` if given, else in the current view; one history entry, so Back returns. */
export function selectModel(model: string, options: Omit<ModelUrlOptions, 'location'> = {}): void {
  const url = modelUrl(model, options)
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return
  window.history.pushState(window.history.state, '', url)
  window.dispatchEvent(new Event(LOCATION_EVENT))
}
