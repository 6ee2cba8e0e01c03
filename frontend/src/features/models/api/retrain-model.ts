import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { RetrainJob, RetrainRequest } from '../../../types/api'

/** Ask for a retrain of `model` (admin): 202 with the queued job, or a 409 saying why not now. */
export function useRetrain() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ model, params = {} }: { model: string; params?: NonNullable<RetrainRequest> }) =>
      api.post('/models/{name}/retrain', { path: { name: model }, body: params }),
    onSuccess: (job) =>
      client.setQueryData<RetrainJob[]>(keys.retrainJobs(job.model), (jobs) => [job, ...(jobs ?? []).filter((j) => j.id !== job.id)]),
    onSettled: (_job, _error, { model }) => {
      client.invalidateQueries({ queryKey: keys.retrainJobs(model) })
      client.invalidateQueries({ queryKey: keys.events(model) })
    },
  })
}
