import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { useSelectedModel } from '../../../lib/model-selection'
import { useModels } from '../../../lib/queries'
import { ModelLifecycle } from './model-lifecycle'
import { ModelList } from './model-list'
import { RegisterCard } from './register-form'

/**
 * The model registry: every model with its newest version, drift and open alerts; a click shows it.
 * Below, the selected model's lifecycle (versions on their stages, retrains, champion vs challenger);
 * admins act on it and register more.
 */
export default function ModelsView() {
  const models = useModels({ refresh: true }) // a model registered elsewhere shows up when the view opens
  const selected = useSelectedModel()
  const known = models.data?.some((m) => m.name === selected)
  return (
    <div className="space-y-4">
      <Card title="Registered models" subtitle="Click a model to show it in every view; the header's switcher does the same">
        <QueryState query={models} loading="Loading the registry…">
          {(data) => <ModelList models={data} />}
        </QueryState>
      </Card>
      {known && <ModelLifecycle key={selected} name={selected} />}
      <RegisterCard />
    </div>
  )
}
