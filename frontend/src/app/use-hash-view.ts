import { useCallback, useSyncExternalStore } from 'react'
import { subscribeLocation } from '../lib/model-selection'
import type { ViewId } from '../types/view'
import { viewFromHash } from './views'

/** The current view from the URL hash (#/drift), so views are linkable and Back works. */
export function useHashView(): [ViewId, (id: ViewId) => void] {
  const view = useSyncExternalStore(subscribeLocation, () => viewFromHash(window.location.hash))
  const navigate = useCallback((id: ViewId) => {
    window.location.hash = `/${id}`
  }, [])
  return [view, navigate]
}
