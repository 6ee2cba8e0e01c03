import { AlertSummary } from '../../../components/alert-summary'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useOpenAlerts } from '../../../lib/queries'
import type { ViewProps } from '../../../types/view'

export function LatestAlerts({ onNavigate }: Partial<ViewProps>) {
  const alerts = useOpenAlerts()
  return (
    <Card
      title="Open alerts"
      subtitle={alerts.data ? `${alerts.data.counts?.open ?? 0} open · ${alerts.data.counts?.acknowledged ?? 0} acknowledged` : undefined}
      action={
        <Button size="sm" variant="ghost" onClick={() => onNavigate?.('alerts')}>
          All alerts →
        </Button>
      }
    >
      <QueryState query={alerts} loading="Loading alerts…">
        {(data) =>
          data.items.length === 0 ? (
            <StateMessage title="All quiet">No open alerts. Drift, performance and traffic are checked every cycle.</StateMessage>
          ) : (
            <ul className="divide-y divide-slate-800">
              {data.items.map((alert) => (
                <li key={alert.id} className="py-2 first:pt-0 last:pb-0">
                  <AlertSummary alert={alert} />
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </Card>
  )
}
