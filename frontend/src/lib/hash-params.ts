/**
 * Parameters after the view in the URL hash: `#/drift?feature=amount` (or `#drift?feature=amount`,
 * as links from other views write it) selects a feature in the Drift view. Reading and writing them
 * here lets a feature link to a selection in another without importing the app.
 */
import { useSyncExternalStore } from 'react'
import type { ViewId } from '../types/view'
import { subscribeLocation } from './model-selection'

/**
 * A parameter after the view in the hash: `#/drift?feature=amount` (or `#drift?feature=amount`)
 * → hashParam(hash, 'feature') = 'amount'; null when absent or empty.
 */
export function hashParam(hash: string | null | undefined, name: string): string | null {
  const query = (hash ?? '').split('?')[1]
  return query === undefined ? null : new URLSearchParams(query).get(name) || null
}

/** The hash of `view` with `params` (empty values dropped): hashFor('drift', {feature: 'amount'}) = '#/drift?feature=amount'. */
export function hashFor(view: ViewId, params: Record<string, string | null | undefined> = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value)
  const query = search.toString()
  return `#/${view}${query ? `?${query}` : ''}`
}

/** A hash parameter of the current URL, kept in step with links, Back and setHashParams. */
export const useHashParam = (name: string): string | null =>
  useSyncExternalStore(subscribeLocation, () => hashParam(window.location.hash, name))

/**
 * Point the current view's hash at `params` without a new history entry (a selection inside a
 * view is linkable, but Back still leaves the view), and tell the hash's readers.
 */
export function replaceHashParams(view: ViewId, params: Record<string, string | null | undefined>): void {
  const hash = hashFor(view, params)
  if (hash === window.location.hash) return
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hash}`)
  window.dispatchEvent(new HashChangeEvent('hashchange'))
}
