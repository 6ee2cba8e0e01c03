import { useCallback, useSyncExternalStore } from 'react'
import type { ViewId } from '../types/view'
import { viewFromHash } from './views'

const subscribe = (notify: () => void) => {
  window.addEventListener('hashchange', notify)
  return () => window.removeEventListener('hashchange', notify)
}

/** The current view from the URL hash (#/drift), so views are linkable and Back works. */
export function useHashView(): [ViewId, (id: ViewId) => void] {
  const view = useSyncExternalStore(subscribe, () => viewFromHash(window.location.hash))
  const navigate = useCallback((id: ViewId) => {
    window.location.hash = `/${id}`
  }, [])
  return [view, navigate]
}
