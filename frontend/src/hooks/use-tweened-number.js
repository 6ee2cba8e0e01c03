import { useEffect, useRef, useState } from 'react'

/** `target`, eased from its previous value over `durationMs`, so a counter visibly counts up. */
export function useTweenedNumber(target, durationMs = 900) {
  const [shown, setShown] = useState(target)
  const shownRef = useRef(target)

  useEffect(() => {
    if (target == null) return undefined
    if (shownRef.current == null || typeof requestAnimationFrame === 'undefined') {
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
