/**
 * The one modal of the dashboard: a labelled dialog over a dimmed page. Focus starts inside it
 * (on `initialFocus`, else its first control), Tab and Shift+Tab stay inside, Escape or a click
 * beside it closes it, and focus goes back to where it was once it closes.
 */
import { useEffect, useEffectEvent, useId, useRef, type ReactNode, type RefObject } from 'react'
import { createPortal } from 'react-dom'

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',')

export interface DialogProps {
  /** The heading that names the dialog. */
  title: ReactNode
  /** A sentence or two under the title, read out with it. */
  description?: ReactNode
  children: ReactNode
  /** Escape, a click beside the dialog, or the caller's own Cancel. */
  onClose: () => void
  /** `alertdialog` asks before a change that matters. */
  role?: 'dialog' | 'alertdialog'
  /** Where focus starts; the first control when not given. */
  initialFocus?: RefObject<HTMLElement | null>
  'data-testid'?: string
}

/** Keeps Tab within `panel`: past the last control back to the first, and the other way round. */
function trapTab(event: KeyboardEvent, panel: HTMLElement | null) {
  if (!panel) return
  const controls = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)]
  if (controls.length === 0) {
    event.preventDefault()
    return
  }
  const first = controls[0]
  const last = controls[controls.length - 1]
  const active = document.activeElement
  const outside = !(active instanceof Node && panel.contains(active))
  if (event.shiftKey && (active === first || outside)) {
    event.preventDefault()
    last.focus()
  } else if (!event.shiftKey && (active === last || outside)) {
    event.preventDefault()
    first.focus()
  }
}

export function Dialog({ title, description, children, onClose, role = 'dialog', initialFocus, ...rest }: DialogProps) {
  const panel = useRef<HTMLDivElement>(null)
  const titleId = useId()
  const descriptionId = useId()
  const close = useEffectEvent(() => onClose())

  useEffect(() => {
    const opener = document.activeElement
    const start = initialFocus?.current ?? panel.current?.querySelector<HTMLElement>(FOCUSABLE) ?? panel.current
    start?.focus()
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close()
      else if (event.key === 'Tab') trapTab(event, panel.current)
    }
    document.addEventListener('keydown', onKeyDown)
    return () => {
      document.removeEventListener('keydown', onKeyDown)
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
    }
  }, [initialFocus])

  return createPortal(
    <div
      className="fixed inset-0 z-50 grid place-items-center bg-slate-950/70 p-4 backdrop-blur-sm"
      onMouseDown={(event) => event.target === event.currentTarget && onClose()}
    >
      <div
        ref={panel}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        className="w-full max-w-md rounded-xl border border-slate-700 bg-slate-900 p-5 shadow-2xl outline-none"
        data-testid={rest['data-testid']}
      >
        <h2 id={titleId} className="text-base font-semibold break-words text-white">
          {title}
        </h2>
        {description && (
          <div id={descriptionId} className="mt-1 text-sm break-words text-slate-400">
            {description}
          </div>
        )}
        {children}
      </div>
    </div>,
    document.body,
  )
}
