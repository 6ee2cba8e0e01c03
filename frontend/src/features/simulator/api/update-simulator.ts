import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { SimulatorUpdate } from '../../../types/api'

/** Switch the simulator: {scenario, params?, rps?}; an omitted rps keeps the rate. */
export function useSimulatorUpdate() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: SimulatorUpdate) => api.put('/simulator', { body }),
    onSuccess: (state) => client.setQueryData(keys.simulator, state),
  })
}
