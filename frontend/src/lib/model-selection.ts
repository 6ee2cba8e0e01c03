/**
 * Which registered model the dashboard shows: `?model=<name>` in the URL, beside the view
 * in the hash (`/?model=cancer#/drift`); no parameter means the built-in fraud model, so
 * the fraud-only dashboard's URLs are unchanged. Views read it with useSelectedModel().
 */
import { useSyncExternalStore } from 'react'
import type { ViewId } from '../types/view'

/** The built-in model: the unscoped endpoints and the live channel are its. */
export const FRAUD_MODEL = 'fraud'

/** Fired when selectModel changes the URL (pushState fires no event of its own). */
const LOCATION_EVENT = 'driftwatch:location'

export const modelFromSearch = (search: string | null | undefined): string =>
  new URLSearchParams(search ?? '').get('model')?.trim() || FRAUD_MODEL

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

/** The selected model's name ('fraud' when the URL names none). */
export const useSelectedModel = (): string => useSyncExternalStore(subscribeLocation, () => modelFromSearch(window.location.search))

/** The URL of `model` (and `view`, else the current one): the fraud model drops the parameter. */
export function modelUrl(model: string, view?: ViewId, location: Pick<Location, 'pathname' | 'search' | 'hash'> = window.location): string {
  const search = new URLSearchParams(location.search)
  if (model === FRAUD_MODEL) search.delete('model')
  else search.set('model', model)
  const query = search.toString()
  return `${location.pathname}${query ? `?${query}` : ''}${view ? `#/${view}` : location.hash}`
}

/** Show `model`, in `view` if given, else in the current view; one history entry, so Back returns. */
export function selectModel(model: string, view?: ViewId): void {
  const url = modelUrl(model, view)
  if (url === `${window.location.pathname}${window.location.search}${window.location.hash}`) return
  window.history.pushState(window.history.state, '', url)
  window.dispatchEvent(new Event(LOCATION_EVENT))
}
