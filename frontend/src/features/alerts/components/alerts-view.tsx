import { useState } from 'react'
import { AlertSummary } from '../../../components/alert-summary'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatAgo, formatNumber } from '../../../lib/format'
import { useAlertAction, useAlerts } from '../../../lib/queries'
import type { Alert, AlertStatus } from '../../../types/api'

const TABS: { id: AlertStatus; label: string; empty: string }[] = [
  { id: 'open', label: 'Open', empty: 'No open alerts. New ones appear here the moment the worker raises them.' },
  { id: 'acknowledged', label: 'Acknowledged', empty: 'Nothing acknowledged. Acknowledge an open alert to say someone is on it.' },
  { id: 'resolved', label: 'Resolved', empty: 'Nothing resolved yet. Alerts resolve by hand or when the condition clears.' },
]

function AlertActions({ alert }: { alert: Alert }) {
  const action = useAlertAction()
  const run = useSignedInAction(action.mutate)
  const error = useActionError(action.error)
  const busy = action.isPending
  return (
    <div className="flex shrink-0 flex-col items-end gap-1">
      <div className="flex gap-2">
        {alert.status === 'open' && (
          <Button size="sm" variant="primary" disabled={busy} onClick={() => run({ id: alert.id, action: 'acknowledge' })}>
            Acknowledge
          </Button>
        )}
        {alert.status !== 'resolved' && (
          <Button size="sm" disabled={busy} onClick={() => run({ id: alert.id, action: 'resolve' })}>
            Resolve
          </Button>
        )}
      </div>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-rose-300">
          {error}
        </p>
      )}
    </div>
  )
}

function AlertRow({ alert }: { alert: Alert }) {
  const times = [
    alert.acknowledged_at && `acknowledged ${formatAgo(alert.acknowledged_at)}`,
    alert.resolved_at && `resolved ${formatAgo(alert.resolved_at)}`,
  ].filter(Boolean)
  return (
    <li className="flex items-start justify-between gap-4 py-3" data-alert-id={alert.id} data-status={alert.status}>
      <div className="min-w-0">
        <AlertSummary alert={alert} />
        <p className="mt-1 text-xs text-slate-500">
          Value {formatNumber(alert.value, 3)} vs threshold {formatNumber(alert.threshold, 3)}
          {times.length > 0 && ` · ${times.join(' · ')}`}
        </p>
      </div>
      <AlertActions alert={alert} />
    </li>
  )
}

export default function AlertsView() {
  const [tab, setTab] = useState<AlertStatus>('open')
  const alerts = useAlerts({ status: tab })
  const counts: Partial<Record<AlertStatus, number>> = alerts.data?.counts ?? {}
  const current = TABS.find((t) => t.id === tab) ?? TABS[0]
  return (
    <Card>
      <div role="tablist" aria-label="Alert status" className="mb-3 flex gap-1 border-b border-slate-800">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            onClick={() => setTab(t.id)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${
              tab === t.id ? 'border-sky-400 text-sky-200' : 'border-transparent text-slate-400 hover:text-slate-200'
            }`}
          >
            {t.label}
            <span className="ml-2 rounded-full bg-slate-800 px-1.5 text-xs tabular-nums text-slate-300">{counts[t.id] ?? '·'}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={`${current.label} alerts`}>
        <QueryState query={alerts} loading="Loading alerts…">
          {(data) =>
            data.items.length === 0 ? (
              <StateMessage title={`No ${current.label.toLowerCase()} alerts`}>{current.empty}</StateMessage>
            ) : (
              <ul className="divide-y divide-slate-800">
                {data.items.map((alert) => (
                  <AlertRow key={alert.id} alert={alert} />
                ))}
              </ul>
            )
          }
        </QueryState>
      </div>
    </Card>
  )
}
