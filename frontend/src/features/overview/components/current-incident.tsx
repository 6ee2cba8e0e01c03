import { detectionText, IncidentBadges, IncidentFeatures, roughDuration } from '../../../components/alert-summary'
import { Ago, Elapsed } from '../../../components/ago'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useActiveIncidents, useIncidents } from '../../../lib/api/get-incidents'
import type { Incident } from '../../../types/api'
import type { ViewProps } from '../../../types/view'

/** The incident going on now: what, how bad, since when, how fast it was seen and which features. */
function Current({ incident, others }: { incident: Incident; others: number }) {
  const detected = detectionText(incident)
  return (
    <div data-testid="overview-incident" data-status={incident.status} data-severity={incident.severity} className="min-w-0 space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <IncidentBadges incident={incident} />
        <span className="text-xs text-slate-400">
          since <Ago iso={incident.opened_at} />
        </span>
      </div>
      <div className="min-w-0">
        <p data-testid="incident-title" className="text-base font-semibold break-words text-white">{incident.title}</p>
        {incident.summary && <p className="mt-1 text-sm break-words text-slate-300">{incident.summary}</p>}
      </div>
      <p className="text-xs text-slate-400">
        Open for <span className="font-medium text-slate-200 tabular-nums"><Elapsed since={incident.opened_at} /></span>
        {detected && (
          <>
            {' · '}detected <span className="font-medium text-slate-200">{detected}</span>
          </>
        )}
      </p>
      <IncidentFeatures incident={incident} limit={6} />
      {others > 0 && (
        <p className="text-xs text-slate-400">
          and {others === 1 ? '1 more current incident' : `${others} more current incidents`}
        </p>
      )}
    </div>
  )
}

/** Calm again: the last incident, how long ago it ended and how long it lasted. */
function Last({ incident }: { incident: Incident }) {
  return (
    <div data-testid="overview-incident" data-status="resolved" data-severity={incident.severity} className="min-w-0 space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <span aria-hidden className="grid h-6 w-6 place-items-center rounded-full bg-emerald-500/15 text-sm text-emerald-300">✓</span>
        <span className="text-sm font-medium text-emerald-200">
          Resolved <Ago iso={incident.resolved_at} /> after {roughDuration(incident.duration_s)}
        </span>
      </div>
      <p data-testid="incident-title" className="text-sm break-words text-slate-300">
        <span className="text-slate-500">Last incident: </span>
        {incident.title}
      </p>
      <p className="text-xs text-slate-500">No incident is open. Drift, performance and traffic are checked every cycle.</p>
    </div>
  )
}

/** The Overview's incident card: the current incident, else the last one, else all quiet. */
export function CurrentIncident({ model, onNavigate }: ViewProps) {
  const active = useActiveIncidents(model)
  const last = useIncidents(model, { status: 'resolved', limit: 1 })
  const calm = active.data !== undefined && active.data.incidents.length === 0
  const counts = active.data?.counts
  // On a phone (one column) what is going on comes first; beside the drift card from lg.
  return (
    <Card
      className="order-first lg:order-none"
      title={calm ? 'Incidents' : 'Current incident'}
      subtitle={counts ? `${counts.open} open · ${counts.acknowledged} acknowledged · ${counts.resolved} resolved` : undefined}
      action={
        <Button size="sm" variant="ghost" className="shrink-0" onClick={() => onNavigate?.('alerts')}>
          All incidents →
        </Button>
      }
    >
      <QueryState query={active} loading="Loading incidents…">
        {(data) => {
          // The newest one nobody has acknowledged yet comes first: it is the one that needs someone.
          const incident = data.incidents.find((i) => i.status === 'open') ?? data.incidents[0]
          if (incident) return <Current incident={incident} others={data.incidents.length - 1} />
          const resolved = last.data?.incidents[0]
          if (resolved) return <Last incident={resolved} />
          if (last.isPending) return <StateMessage kind="loading" title="Loading incidents…" />
          return (
            <div data-testid="overview-incident" data-status="none">
              <StateMessage title="All quiet — no incidents yet">
                Drift, performance and traffic are checked every cycle; an incident appears here the moment one is raised.
              </StateMessage>
            </div>
          )
        }}
      </QueryState>
    </Card>
  )
}
