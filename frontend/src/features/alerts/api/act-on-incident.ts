import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { IncidentAction } from '../../../types/api'

/** Acknowledge or resolve an incident of `model`, every alert of it at once: {id, action: 'acknowledge' | 'resolve'}. */
export function useIncidentAction(model: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ id, action }: { id: number; action: IncidentAction }) =>
      api.post(`/incidents/{incident_id}/${action}`, { path: { incident_id: id } }),
    onSettled: () => {
      client.invalidateQueries({ queryKey: keys.incidents(model) })
      client.invalidateQueries({ queryKey: keys.alerts(model) })
    },
  })
}
