import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { useStageChange } from '../api/change-stage'

/** A stage change with its error (the 409's sentence, or the role on a 403) and its event's text once done. */
export function useGuardedStageChange() {
  const change = useStageChange()
  const run = useSignedInAction(change.mutate)
  const error = useActionError(change.error)
  const done = change.isSuccess ? change.data.event.message : null
  return { run, error, done, busy: change.isPending }
}
