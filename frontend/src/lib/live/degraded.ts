import { useQuery } from '@tanstack/react-query'
import { keys } from '../query-keys'

/** The backend without its database, as the live channel's `degraded` message says; null when healthy. */
export interface Degraded {
  since: string | null
  reason: string | null
  /** Set after a reconnect: holds until the server says so again or fresh stats arrive. */
  unconfirmed?: boolean
}

/**
 * Whether the backend has lost its database: {since, reason} from the live channel's
 * `degraded` message, null when healthy (live-events.ts sets and clears it).
 */
export const useDegraded = () =>
  useQuery<Degraded | null>({ queryKey: keys.degraded, queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity })
