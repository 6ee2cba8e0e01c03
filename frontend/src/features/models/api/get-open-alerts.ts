import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'

/**
 * How many alerts of `model` are open (GET /models/{name}/alerts' counts, reading one alert), read
 * again whenever the registry mounts: only the selected model's alerts are live.
 */
export const useOpenAlerts = (model: string) =>
  useQuery({
    queryKey: keys.alertList(model, 'open', 1),
    queryFn: ({ signal }) => api.get('/models/{name}/alerts', { path: { name: model }, query: { status: 'open', limit: 1 }, signal }),
    select: (alerts) => alerts.counts.open,
    refetchOnMount: 'always',
  })
