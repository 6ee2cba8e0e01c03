import { useCallback, useEffect, useRef, useState } from 'react'

/** The width from which the views are a sidebar; below it, a drawer the top bar's menu button opens. */
const SIDEBAR_QUERY = '(min-width: 1024px)'
export const NAV_ID = 'views-nav'

/**
 * The navigation drawer's state below 1024 px: open from the menu button, closed by a view
 * chosen, Escape, a click beside it or the window growing into the sidebar layout. Focus
 * moves into it when it opens and back to the menu button when Escape closes it.
 */
export function useNavDrawer() {
  const [open, setOpen] = useState(false)
  const menuButton = useRef<HTMLButtonElement>(null)
  const drawer = useRef<HTMLElement>(null)
  const refocus = useRef(false)
  const close = useCallback((returnFocus = false) => {
    refocus.current = returnFocus
    setOpen(false)
  }, [])
  useEffect(() => {
    if (!open) {
      // The page is no longer inert once closed: only now can the menu button take focus back.
      if (refocus.current) menuButton.current?.focus()
      refocus.current = false
      return
    }
    drawer.current?.querySelector<HTMLElement>('[aria-current="page"]')?.focus()
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close(true)
    }
    const wide = typeof window.matchMedia === 'function' ? window.matchMedia(SIDEBAR_QUERY) : null
    const onWide = () => wide?.matches && close()
    document.addEventListener('keydown', onKeyDown)
    wide?.addEventListener('change', onWide)
    return () => {
      document.removeEventListener('keydown', onKeyDown)
      wide?.removeEventListener('change', onWide)
    }
  }, [open, close])
  const toggle = useCallback(() => setOpen((v) => !v), [])
  return { open, toggle, close, menuButton, drawer }
}
