import { useMutation, useQueryClient } from '@tanstack/react-query'
import { refreshModelChanges } from '../../../lib/api/model-changes'
import { api } from '../../../lib/api-client'
import type { StageAction, StageChange } from '../../../types/api'

/** A stage change: promote, shadow, canary (with its share) or retire a version, or roll the model back. */
export type StageChangeRequest =
  | { model: string; action: Exclude<StageAction, 'canary' | 'rollback'>; version: string; reason?: string }
  | { model: string; action: 'canary'; version: string; share: number; reason?: string }
  | { model: string; action: 'rollback'; reason?: string }

function postStageChange(change: StageChangeRequest): Promise<StageChange> {
  const reason = change.reason?.trim() ?? ''
  if (change.action === 'rollback') {
    return api.post('/models/{name}/rollback', { path: { name: change.model }, body: reason ? { reason } : undefined })
  }
  const path = { name: change.model, version: change.version }
  if (change.action === 'canary') {
    return api.post('/models/{name}/versions/{version}/canary', { path, body: { share: change.share, reason } })
  }
  return api.post(`/models/{name}/versions/{version}/${change.action}`, { path, body: reason ? { reason } : undefined })
}

/**
 * POST a stage change (admin). A refusal is a 409 whose message says why (the error's message).
 * Rollback goes to the model (back to its previous champion), the others to one version.
 */
export function useStageChange() {
  const client = useQueryClient()
  return useMutation({ mutationFn: postStageChange, onSettled: () => refreshModelChanges(client) })
}
