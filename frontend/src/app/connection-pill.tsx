import { formatClock } from '../lib/format'
import { useLiveStatus } from '../lib/live/live-provider'
import { useDegraded } from '../lib/live/degraded'

const LOOK = {
  live: { dot: 'bg-emerald-400', text: 'Live', ring: 'ring-emerald-500/30 text-emerald-200' },
  degraded: { dot: 'bg-amber-400', text: 'Live · data stalled', ring: 'ring-amber-500/40 text-amber-200' },
  connecting: { dot: 'bg-sky-400 animate-pulse', text: 'Connecting…', ring: 'ring-sky-500/30 text-sky-200' },
  reconnecting: { dot: 'bg-amber-400 animate-pulse', text: 'Reconnecting', ring: 'ring-amber-500/30 text-amber-200' },
}

/** The live channel's state, as a small pill in the header; connected to a backend without its database it says the data stalled. */
export function ConnectionPill() {
  const { status: channel, attempt, retryInMs } = useLiveStatus()
  const degraded = useDegraded().data
  const status = channel === 'live' && degraded ? 'degraded' : channel
  const look = LOOK[status] ?? LOOK.connecting
  const detail = status === 'reconnecting' && retryInMs != null ? ` · retry ${attempt} in ${Math.ceil(retryInMs / 1000)} s` : ''
  return (
    <span
      role="status"
      data-testid="connection-status"
      data-status={status}
      title={status === 'degraded' && degraded ? `${degraded.reason ?? 'database unavailable'} since ${formatClock(degraded.since)}` : undefined}
      className={`inline-flex items-center gap-2 rounded-full bg-slate-900 px-3 py-1 text-xs font-medium ring-1 ${look.ring}`}
    >
      <span aria-hidden className={`h-2 w-2 rounded-full ${look.dot}`} />
      {look.text}
      {detail}
    </span>
  )
}
