import type { ReactNode } from 'react'
import { AlertSummary, detectionText, IncidentBadges, IncidentFeatures, roughDuration } from '../../../components/alert-summary'
import { Ago, Elapsed } from '../../../components/ago'
import { Button } from '../../../components/ui/button'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatClock, formatNumber, formatPercent, humanize } from '../../../lib/format'
import type { Incident } from '../../../types/api'
import { useIncidentAction } from '../api/act-on-incident'

const CAUSES: Record<Incident['cause'], string> = {
  drift: 'Drift',
  performance: 'Performance',
  no_traffic: 'No traffic',
  monitoring_failed: 'Monitoring failed',
}

const ACCENT: Record<Incident['severity'], string> = {
  critical: 'border-l-rose-500/80',
  warning: 'border-l-amber-400/80',
  info: 'border-l-sky-500/70',
}

/** One Acknowledge (the primary action) and one Resolve for every alert of the incident; stacked on a phone. */
function IncidentActions({ model, incident }: { model: string; incident: Incident }) {
  const action = useIncidentAction(model)
  const run = useSignedInAction(action.mutate)
  const error = useActionError(action.error)
  const busy = action.isPending
  if (incident.status === 'resolved') return null
  return (
    <div className="flex w-full shrink-0 flex-col gap-2 sm:w-auto sm:items-end">
      <div className="flex flex-col gap-2 sm:flex-row">
        {incident.status === 'open' && (
          <Button variant="primary" size="sm" className="py-2 sm:py-1" disabled={busy} data-testid="incident-ack"
            onClick={() => run({ id: incident.id, action: 'acknowledge' })}>
            Acknowledge
          </Button>
        )}
        <Button size="sm" className="py-2 sm:py-1" disabled={busy} data-testid="incident-resolve"
          onClick={() => run({ id: incident.id, action: 'resolve' })}>
          Resolve
        </Button>
      </div>
      {error && (
        <p role="alert" className="text-xs break-words text-rose-300 sm:max-w-xs sm:text-right">
          {error}
        </p>
      )}
    </div>
  )
}

function Fact({ label, children, hint }: { label: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-[11px] font-medium uppercase tracking-wider text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-slate-100 tabular-nums">{children}</dd>
      {hint && <dd className="text-xs break-words text-slate-500">{hint}</dd>}
    </div>
  )
}

/** The worst of the incident: the largest share of drifted features, the lowest ROC-AUC. */
function Peak({ incident }: { incident: Incident }) {
  const { drift_share: share, roc_auc: auc } = incident.peak
  if (share === null && auc === null) return <>—</>
  return (
    <>
      {share !== null && <span className="block">{formatPercent(share, 0)} of features drifted</span>}
      {auc !== null && <span className="block">ROC-AUC {formatNumber(auc, 3)}</span>}
    </>
  )
}

/**
 * One incident: what happened in a line and a sentence, when it started and how fast it was seen,
 * how long it has lasted (ticking while current), its worst values, the features involved (each a
 * link to the Drift view), one action for the whole group and its alerts on demand.
 */
export function IncidentCard({ model, incident }: { model: string; incident: Incident }) {
  const resolved = incident.status === 'resolved'
  const start = incident.started_at ?? incident.opened_at
  const detected = detectionText(incident)
  const open = incident.n_open
  return (
    <article
      data-testid="incident"
      data-incident-id={incident.id}
      data-status={incident.status}
      data-severity={incident.severity}
      className={`min-w-0 rounded-lg border border-slate-800 border-l-4 p-3 sm:p-4 ${resolved ? 'border-l-slate-700 bg-slate-950/30' : `${ACCENT[incident.severity]} bg-slate-950/50`}`}
    >
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <IncidentBadges incident={incident} />
            <span className="text-xs text-slate-400">
              {CAUSES[incident.cause] ?? humanize(incident.cause)} · opened <Ago iso={incident.opened_at} />
            </span>
          </div>
          <h3 data-testid="incident-title" className={`mt-2 text-base font-semibold break-words ${resolved ? 'text-slate-300' : 'text-white'}`}>
            {incident.title}
          </h3>
          {incident.summary && <p className="mt-1 text-sm break-words text-slate-300">{incident.summary}</p>}
        </div>
        <IncidentActions model={model} incident={incident} />
      </div>

      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-3 border-t border-slate-800/80 pt-3 lg:grid-cols-4">
        <Fact label="Started" hint={<Ago iso={start} />}>
          {formatClock(start)}
        </Fact>
        <Fact label="Detected" hint={detected ? 'after the traffic changed' : 'no traffic change before it'}>
          {incident.detection_s === null ? '—' : roughDuration(incident.detection_s)}
        </Fact>
        {resolved ? (
          <Fact label="Lasted" hint={<>resolved <Ago iso={incident.resolved_at} /></>}>
            <span data-testid="incident-duration">{roughDuration(incident.duration_s)}</span>
          </Fact>
        ) : (
          <Fact
            label="Open for"
            hint={incident.acknowledged_at ? <>acknowledged{incident.acknowledged_by ? ` by ${incident.acknowledged_by}` : ''} <Ago iso={incident.acknowledged_at} /></> : 'not acknowledged yet'}
          >
            <span data-testid="incident-duration"><Elapsed since={incident.opened_at} /></span>
          </Fact>
        )}
        <Fact label={resolved ? 'Peak' : 'Peak so far'}>
          <span data-testid="incident-peak"><Peak incident={incident} /></span>
        </Fact>
      </dl>

      <div className="mt-3">
        <IncidentFeatures incident={incident} />
      </div>

      <details data-testid="incident-members" className="group mt-3 rounded-md border border-slate-800/80 bg-slate-900/40">
        <summary className="cursor-pointer list-none px-3 py-2 text-xs font-medium text-slate-300 select-none hover:text-white [&::-webkit-details-marker]:hidden">
          <span aria-hidden className="mr-1.5 inline-block text-slate-500 transition-transform group-open:rotate-90">▸</span>
          {incident.n_alerts === 1 ? '1 alert' : `${incident.n_alerts} alerts`} in this incident
          {!resolved && open > 0 && <span className="text-slate-500"> · {open} open</span>}
        </summary>
        <ul className="divide-y divide-slate-800 border-t border-slate-800/80 px-3">
          {incident.alerts.map((alert) => (
            <li key={alert.id} className="py-2" data-alert-id={alert.id} data-status={alert.status}>
              <AlertSummary alert={alert} model={model} />
            </li>
          ))}
        </ul>
      </details>
    </article>
  )
}
