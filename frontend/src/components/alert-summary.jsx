import { Badge } from './ui/badge'
import { formatAgo, humanize } from '../lib/format'

const ALERT_KIND_LABELS = {
  feature_drift: 'Feature drift',
  prediction_drift: 'Prediction drift',
  dataset_drift: 'Dataset drift',
  performance: 'Performance',
  no_traffic: 'No traffic',
}

/** An alert's severity, kind, feature, message and age: shared by Overview and Alerts. */
export function AlertSummary({ alert }) {
  return (
    <div className="min-w-0">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={alert.severity}>{alert.severity === 'critical' ? 'Critical' : 'Warning'}</Badge>
        <span className="text-sm font-medium text-slate-100">
          {ALERT_KIND_LABELS[alert.kind] ?? humanize(alert.kind)}
          {alert.feature ? <span className="text-slate-400"> · {humanize(alert.feature)}</span> : null}
        </span>
        <span className="text-xs text-slate-500">{formatAgo(alert.opened_at)}</span>
      </div>
      <p className="mt-1 text-sm text-slate-300">{alert.message}</p>
    </div>
  )
}
