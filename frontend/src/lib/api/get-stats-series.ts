import { useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { keys } from '../query-keys'
import { historyPoints, mergeSeries, type SeriesPoint } from '../series'
import { getStatsHistory } from './get-stats-history'

/**
 * A model's traffic series: the last minutes from REST (loaded once, and again after a reconnect),
 * continued by the live channel's points, which live-events.ts appends for the connected model.
 */
export function useStatsSeries(model: string): { data: SeriesPoint[] } {
  const history = useQuery({
    queryKey: keys.statsHistory(model),
    queryFn: ({ signal }) => getStatsHistory(model, signal),
    select: historyPoints,
  })
  const live = useQuery<SeriesPoint[]>({ queryKey: keys.statsSeries(model), queryFn: () => [], initialData: [], staleTime: Infinity, gcTime: Infinity })
  const data = useMemo(() => mergeSeries(history.data ?? [], live.data), [history.data, live.data])
  return { data }
}
