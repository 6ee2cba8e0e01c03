import { QueryClient } from '@tanstack/react-query'

const statusOf = (error: unknown) => (error as { status?: number } | null)?.status ?? 0

/**
 * Server data lives here and only here. REST loads it once; the live channel keeps it
 * fresh (setQueryData / invalidateQueries), so nothing refetches on a timer.
 */
export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        retry: (count, error) => count < 2 && !(statusOf(error) >= 400 && statusOf(error) < 500),
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
      },
    },
  })
}
