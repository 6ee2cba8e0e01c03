import { useEffect, useRef, useState } from 'react'

const prefersReducedMotion = () =>
  typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches

/**
 * `target`, eased from its previous value over `durationMs`, so a counter visibly counts up.
 * With prefers-reduced-motion (or no requestAnimationFrame) it jumps straight to the value.
 */
export function useTweenedNumber(target, durationMs = 900) {
  const [shown, setShown] = useState(target)
  const shownRef = useRef(target)

  useEffect(() => {
    if (target == null) return undefined
    if (shownRef.current == null || typeof requestAnimationFrame === 'undefined' || prefersReducedMotion()) {
      shownRef.current = target
      setShown(target)
      return undefined
    }
    const from = shownRef.current
    const start = performance.now()
    let frame
    const step = (now) => {
      const progress = Math.min(1, (now - start) / durationMs)
      const eased = 1 - (1 - progress) ** 3
      shownRef.current = Math.round(from + (target - from) * eased)
      setShown(shownRef.current)
      if (progress < 1) frame = requestAnimationFrame(step)
    }
    frame = requestAnimationFrame(step)
    return () => cancelAnimationFrame(frame)
  }, [target, durationMs])

  return shown
}
