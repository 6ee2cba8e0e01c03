import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useActiveIncidents, useIncidents } from '../../../lib/api/get-incidents'
import type { IncidentStatus, Incidents } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { IncidentCard } from './incident-card'

/** How many resolved incidents the history lists. */
export const HISTORY_LIMIT = 20

const COUNTS: { status: IncidentStatus; label: string; tone: string }[] = [
  { status: 'open', label: 'Open', tone: 'text-sky-200' },
  { status: 'acknowledged', label: 'Acknowledged', tone: 'text-violet-200' },
  { status: 'resolved', label: 'Resolved', tone: 'text-emerald-200' },
]

/** Incidents per status, as the API counts them (over every incident, not only the ones listed). */
function Counts({ counts }: { counts: Partial<Incidents['counts']> | undefined }) {
  return (
    <dl className="grid grid-cols-[1fr_1.4fr_1fr] gap-2 sm:flex sm:gap-3">
      {COUNTS.map((c) => (
        <div key={c.status} data-testid="incident-count" data-status={c.status}
          className="min-w-0 rounded-lg border border-slate-800 bg-slate-950/40 px-2.5 py-2 sm:min-w-28 sm:px-3">
          <dt className="truncate text-[11px] font-medium uppercase tracking-wide text-slate-400 sm:tracking-wider">{c.label}</dt>
          <dd className={`text-xl font-semibold tabular-nums ${c.tone}`}>{counts?.[c.status] ?? '·'}</dd>
        </div>
      ))}
    </dl>
  )
}

/**
 * The Alerts view, by incident: the alerts one cause raised in one cycle are one incident, with one
 * action. Current incidents (open, acknowledged) first, then the history of resolved ones.
 */
function IncidentList({ model, incidents }: { model: string; incidents: Incidents['incidents'] }) {
  return (
    <ul className="space-y-3">
      {incidents.map((incident) => (
        <li key={incident.id}>
          <IncidentCard model={model} incident={incident} />
        </li>
      ))}
    </ul>
  )
}

export default function AlertsView({ model }: ViewProps) {
  const current = useActiveIncidents(model)
  const history = useIncidents(model, { status: 'resolved', limit: HISTORY_LIMIT })
  const counts = current.data?.counts ?? history.data?.counts
  const resolvedTotal = counts?.resolved ?? 0
  return (
    <div className="space-y-4">
      <Card
        title="Incidents"
        subtitle="Alerts raised together by one cause are grouped into one incident: acknowledge or resolve it once."
      >
        <Counts counts={counts} />
      </Card>

      <Card title="Current" subtitle="Open and acknowledged, newest first" aria-label="Current incidents">
        <QueryState query={current} loading="Loading incidents…">
          {(data) =>
            data.incidents.length === 0 ? (
              <StateMessage title="All quiet — no open incidents">
                New incidents appear here the moment the worker raises them. Drift, performance and traffic are checked every cycle.
              </StateMessage>
            ) : (
              <IncidentList model={model} incidents={data.incidents} />
            )
          }
        </QueryState>
      </Card>

      <Card
        title="History"
        subtitle={resolvedTotal > HISTORY_LIMIT ? `The ${HISTORY_LIMIT} most recent of ${resolvedTotal} resolved` : 'Resolved, newest first'}
        aria-label="Resolved incidents"
      >
        <QueryState query={history} loading="Loading resolved incidents…">
          {(data) =>
            data.incidents.length === 0 ? (
              <StateMessage title="No resolved incidents yet">
                Incidents resolve by hand or by themselves once every alert in them clears.
              </StateMessage>
            ) : (
              <IncidentList model={model} incidents={data.incidents} />
            )
          }
        </QueryState>
      </Card>
    </div>
  )
}
