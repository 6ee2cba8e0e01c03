import { TrafficCharts } from '../../../components/traffic-charts'
import { DriftStatusCard } from './drift-status-card'
import { CurrentIncident } from './current-incident'
import { ModelCard } from './model-card'
import { TrafficKpis } from './traffic-kpis'
import type { ViewProps } from '../../../types/view'

export default function OverviewView({ model, onNavigate }: ViewProps) {
  return (
    <div className="space-y-4">
      <TrafficKpis model={model} />
      <div className="grid gap-4 lg:grid-cols-3">
        <DriftStatusCard model={model} onNavigate={onNavigate} />
        <CurrentIncident model={model} onNavigate={onNavigate} />
        <ModelCard model={model} />
      </div>
      <TrafficCharts model={model} />
    </div>
  )
}
