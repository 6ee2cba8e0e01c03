import { QueryClient } from '@tanstack/react-query'

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
        retry: (count, error) => count < 2 && !(error?.status >= 400 && error?.status < 500),
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 8000),
      },
    },
  })
}
