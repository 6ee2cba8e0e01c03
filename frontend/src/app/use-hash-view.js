import { useCallback, useSyncExternalStore } from 'react'
import { viewFromHash } from './views'

const subscribe = (notify) => {
  window.addEventListener('hashchange', notify)
  return () => window.removeEventListener('hashchange', notify)
}

/** The current view from the URL hash (#/drift), so views are linkable and Back works. */
export function useHashView() {
  const view = useSyncExternalStore(subscribe, () => viewFromHash(window.location.hash))
  const navigate = useCallback((id) => {
    window.location.hash = `/${id}`
  }, [])
  return [view, navigate]
}
