import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { useModels } from '../../../lib/queries'
import { ModelList } from './model-list'
import { RegisterCard } from './register-form'

/** The model registry: every model with its newest version, drift and open alerts; a click shows it; admins register more. */
export default function ModelsView() {
  const models = useModels({ refresh: true }) // a model registered elsewhere shows up when the view opens
  return (
    <div className="space-y-4">
      <Card title="Registered models" subtitle="Click a model to show it in every view; the header's switcher does the same">
        <QueryState query={models} loading="Loading the registry…">
          {(data) => <ModelList models={data} />}
        </QueryState>
      </Card>
      <RegisterCard />
    </div>
  )
}
