import { Button } from '../../../components/ui/button'
import { QueryState } from '../../../components/ui/state-message'
import { useSession } from '../../../lib/auth/session'
import { useSignInGate } from '../../../lib/auth/sign-in-gate'
import { useComparison } from '../api/get-comparison'
import { useRegisteredModel } from '../api/get-registered-model'
import { currentPoints } from '../lifecycle'
import { ComparisonCard } from './comparison-card'
import { RetrainPanel } from './retrain-panel'
import { VersionsPanel } from './versions-panel'

/** Anyone but an admin reads the lifecycle; this says what acting on it needs. */
function AdminHint() {
  const session = useSession().data
  const { ask } = useSignInGate()
  if (session?.authenticated && session.role === 'admin') return null
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-dashed border-slate-700 px-4 py-3" data-testid="lifecycle-sign-in">
      <p className="text-sm text-slate-400">
        {session?.authenticated
          ? `Promoting, rolling back and retraining need an admin key; the signed-in key is ${session.role}.`
          : 'Promoting, rolling back and retraining need an admin key (ADMIN_API_KEYS). Reading stays open to everyone.'}
      </p>
      {!session?.authenticated && (
        <Button size="sm" variant="primary" onClick={() => ask('manual')}>
          Sign in
        </Button>
      )}
    </div>
  )
}

/**
 * The selected model's loop: its versions on their stages (promote, shadow, canary, retire, roll back),
 * its retrains, and its champion against its challenger over time.
 */
export function ModelLifecycle({ name }: { name: string }) {
  const model = useRegisteredModel(name)
  const comparison = useComparison(name)
  const stages = comparison.data?.stages ?? model.data?.stages
  const newest = comparison.data && stages ? (currentPoints(comparison.data.points, stages).at(-1) ?? comparison.data.points.at(-1)) : undefined
  return (
    <section className="space-y-4" aria-label={`Lifecycle of ${name}`} data-testid="model-lifecycle" data-model={name}>
      <AdminHint />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1.55fr)_minmax(0,1fr)]">
        <QueryState query={model} loading={`Loading the versions of ${name}…`} errorTitle={`Could not load the versions of ${name}`}>
          {(detail) => <VersionsPanel model={detail} newest={newest} />}
        </QueryState>
        <RetrainPanel model={name} />
      </div>
      <ComparisonCard name={name} />
    </section>
  )
}
