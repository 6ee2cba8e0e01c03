import type { Alert } from '../types/api'
import { Badge } from './ui/badge'
import { humanize } from '../lib/format'
import { Ago } from './ago'

/** An alert's severity, kind, feature, message and age: shared by Overview and Alerts. */
export function AlertSummary({ alert }: { alert: Alert }) {
  return (
    <div className="min-w-0">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={alert.severity}>{alert.severity === 'critical' ? 'Critical' : alert.severity === 'info' ? 'Note' : 'Warning'}</Badge>
        <span className="text-sm font-medium text-slate-100">
          {humanize(alert.kind)}
          {alert.feature ? <span className="text-slate-400"> · {humanize(alert.feature)}</span> : null}
        </span>
        <span className="text-xs text-slate-500"><Ago iso={alert.opened_at} /></span>
      </div>
      <p className="mt-1 text-sm text-slate-300">{alert.message}</p>
    </div>
  )
}
