import { useEffect, useRef, useState } from 'react'

const prefersReducedMotion = () =>
  typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches

/**
 * `target`, eased from its previous value over `durationMs`, so a counter visibly counts up.
 * With prefers-reduced-motion (or no requestAnimationFrame) it jumps straight to the value.
 */
export function useTweenedNumber<T extends number | null | undefined>(target: T, durationMs = 900): T | number {
  const [shown, setShown] = useState<T | number>(target)
  const shownRef = useRef<T | number>(target)

  useEffect(() => {
    if (target == null) return undefined
    if (shownRef.current == null || typeof requestAnimationFrame === 'undefined' || prefersReducedMotion()) {
      shownRef.current = target
      setShown(target)
      return undefined
    }
    const from = shownRef.current
    const start = performance.now()
    let frame = 0
    const step = (now: number) => {
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
