import { useSyncExternalStore } from 'react'
import { formatAgo, formatDuration } from '../lib/format'

/** One clock for every relative time on the page: it ticks each second while something shows one. */
const listeners = new Set<() => void>()
let timer: ReturnType<typeof setInterval> | undefined
let now = Date.now()

function subscribe(listener: () => void) {
  listeners.add(listener)
  if (timer === undefined) {
    now = Date.now()
    timer = setInterval(() => {
      now = Date.now()
      listeners.forEach((l) => l())
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (!listeners.size && timer !== undefined) {
      clearInterval(timer)
      timer = undefined
    }
  }
}

/** The tick's time; before the first subscriber, the current second (stable within it, as React needs). */
const snapshot = () => (timer === undefined ? Math.floor(Date.now() / 1000) * 1000 : now)

/** "4 seconds ago", kept current: it ticks live instead of freezing at the last render. */
export function Ago({ iso }: { iso: string | null | undefined }) {
  const at = useSyncExternalStore(subscribe, snapshot, snapshot)
  return <time dateTime={iso ?? undefined}>{formatAgo(iso, at)}</time>
}

/**
 * How long something has lasted, kept current: from `since` until `until`, or until now while
 * `until` is null ("6 min 12 s", ticking each second on the same clock as <Ago>).
 */
export function Elapsed({ since, until }: { since: string | null | undefined; until?: string | null }) {
  const at = useSyncExternalStore(subscribe, snapshot, snapshot)
  if (!since) return <>{formatDuration(null)}</>
  const end = until ? Date.parse(until) : at
  return <>{formatDuration(Math.max(0, (end - Date.parse(since)) / 1000))}</>
}
