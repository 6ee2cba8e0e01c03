import { NoModelYet } from '../../../components/model-gate'
import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { useModels } from '../../../lib/api/get-models'
import type { RegistryViewProps } from '../../../types/view'
import { ModelLifecycle } from './model-lifecycle'
import { ModelList } from './model-list'
import { RegisterCard } from './register-form'

/**
 * The model registry: every model with its newest version, drift and open alerts; a click shows it.
 * Below, the selected model's lifecycle (versions on their stages, retrains, champion vs challenger);
 * admins act on it and register more. With nothing registered yet, the registration is what it offers.
 */
export default function ModelsView({ model }: RegistryViewProps) {
  const models = useModels({ refresh: true }) // a model registered elsewhere shows up when the view opens
  const known = model !== null && models.data?.some((m) => m.name === model)
  return (
    <div className="space-y-4">
      <Card title="Registered models" subtitle="Click a model to show it in every view; the header's switcher does the same">
        <QueryState query={models} loading="Loading the registry…">
          {(data) => (data.length === 0 ? <NoModelYet /> : <ModelList models={data} selected={model} />)}
        </QueryState>
      </Card>
      {known && <ModelLifecycle key={model} name={model} />}
      <RegisterCard />
    </div>
  )
}
