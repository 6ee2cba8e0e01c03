import { useQuery } from '@tanstack/react-query'
import { api } from '../../../lib/api-client'
import { keys } from '../../../lib/query-keys'
import type { RetrainStatus } from '../../../types/api'

/** A retrain job still on its way to registered or failed. */
export const isActiveJob = (status: RetrainStatus) => status === 'queued' || status === 'training' || status === 'evaluating'

/** How many of a model's newest retrain jobs the Models view shows. */
export const RETRAIN_JOBS_SHOWN = 5

/**
 * A model's newest retrain jobs. The live channel announces a job's steps (queued, started,
 * registered, failed), not its progress line ("training: trial 3 of 5"), so while one runs
 * the list is read again every 2 s: the one timer of the data layer, and only then.
 */
export const useRetrainJobs = (model: string) =>
  useQuery({
    queryKey: keys.retrainJobs(model),
    queryFn: ({ signal }) => api.get('/models/{name}/retrain', { path: { name: model }, query: { limit: RETRAIN_JOBS_SHOWN }, signal }),
    refetchInterval: (query) => (query.state.data?.some((job) => isActiveJob(job.status)) ? 2000 : false),
  })
