import type { Alert, Incident, IncidentFeature } from '../types/api'
import { Badge, type Tone } from './ui/badge'
import { formatNumber, humanize } from '../lib/format'
import { Ago } from './ago'
import { useFeatureSpecs } from '../lib/feature-specs'

/** An alert of `model`: its severity, kind, feature (by the model's label for it), message and age. */
export function AlertSummary({ alert, model }: { alert: Alert; model: string }) {
  const { label } = useFeatureSpecs(model)
  return (
    <div className="min-w-0">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={alert.severity}>{SEVERITY_LABELS[alert.severity] ?? alert.severity}</Badge>
        <span className="text-sm font-medium text-slate-100">
          {humanize(alert.kind)}
          {alert.feature ? <span className="text-slate-400"> · {label(alert.feature)}</span> : null}
        </span>
        <span className="text-xs text-slate-500"><Ago iso={alert.opened_at} /></span>
      </div>
      <p className="mt-1 text-sm break-words text-slate-300">{alert.message}</p>
    </div>
  )
}

const SEVERITY_LABELS: Record<Incident['severity'], string> = { critical: 'Critical', warning: 'Warning', info: 'Note' }

const STATUS: Record<Incident['status'], { label: string; tone: Tone }> = {
  open: { label: 'Open', tone: 'info' },
  acknowledged: { label: 'Acknowledged', tone: 'violet' },
  resolved: { label: 'Resolved', tone: 'ok' },
}

/** An incident's severity and status, as two badges (a resolved one's severity is muted: it was, it is not). */
export function IncidentBadges({ incident }: { incident: Pick<Incident, 'severity' | 'status'> }) {
  const resolved = incident.status === 'resolved'
  return (
    <>
      <Badge tone={resolved ? 'muted' : incident.severity}>{SEVERITY_LABELS[incident.severity] ?? incident.severity}</Badge>
      <Badge tone={STATUS[incident.status].tone}>{STATUS[incident.status].label}</Badge>
    </>
  )
}

/** A span of seconds in round words: "40 s", "6 min", "1 h 5 min" (a resolved incident's length, no ticking). */
export function roughDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—'
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`
  const minutes = Math.round((seconds % 3600) / 60)
  return `${Math.floor(seconds / 3600)} h${minutes ? ` ${minutes} min` : ''}`
}

/** "Detected 40 s after the traffic changed", or null when no traffic change came before it. */
export const detectionText = (incident: Pick<Incident, 'detection_s'>): string | null =>
  incident.detection_s === null || incident.detection_s === undefined ? null : `${roughDuration(incident.detection_s)} after the traffic changed`

const CHIP_TONES: Record<string, string> = {
  critical: 'bg-rose-500/10 text-rose-200 ring-rose-500/40 hover:bg-rose-500/20',
  significant: 'bg-rose-500/10 text-rose-200 ring-rose-500/40 hover:bg-rose-500/20',
  warning: 'bg-amber-500/10 text-amber-200 ring-amber-500/30 hover:bg-amber-500/20',
  moderate: 'bg-amber-500/10 text-amber-200 ring-amber-500/30 hover:bg-amber-500/20',
}
const CALM_CHIP = 'bg-slate-800/60 text-slate-400 ring-slate-700 hover:bg-slate-800 hover:text-slate-200'

/** The PSI a chip shows: a current incident's latest (its peak until a cycle measures it), a resolved one's peak. */
const chipPsi = (feature: IncidentFeature, resolved: boolean) => (resolved ? feature.peak_psi : (feature.current_psi ?? feature.peak_psi))

/**
 * The features an incident involves, as chips that open each in the Drift view. A current incident's
 * chips carry the PSI now (a feature back under its threshold is muted), a resolved one's the peak.
 */
export function IncidentFeatures({ incident, limit }: { incident: Pick<Incident, 'features' | 'status'>; limit?: number }) {
  const resolved = incident.status === 'resolved'
  if (!incident.features.length) return null
  const shown = limit ? incident.features.slice(0, limit) : incident.features
  const more = incident.features.length - shown.length
  return (
    <div>
      <div className="text-xs text-slate-400">
        {incident.features.length === 1 ? '1 feature' : `${incident.features.length} features`} · {resolved ? 'peak PSI' : 'PSI now'}
      </div>
      <ul className="mt-1.5 flex flex-wrap gap-1.5">
        {shown.map((feature) => {
          const calm = !resolved && !feature.drifted
          return (
            <li key={feature.name} className="flex min-w-0 max-w-full">
              <a
                href={`#drift?feature=${encodeURIComponent(feature.name)}`}
                data-testid="incident-feature"
                data-feature={feature.name}
                title={`${feature.label || humanize(feature.name)}: peak PSI ${formatNumber(feature.peak_psi, 2)}${
                  calm ? ', back under its threshold' : ''
                }. Open it in the Drift view.`}
                className={`inline-flex max-w-full items-baseline gap-1.5 rounded-md px-2 py-0.5 text-xs ring-1 ring-inset transition-colors ${
                  calm ? CALM_CHIP : (CHIP_TONES[feature.severity] ?? CALM_CHIP)
                }`}
              >
                <span className="min-w-0 break-words">{feature.label || humanize(feature.name)}</span>
                <span className="font-mono tabular-nums opacity-80">{formatNumber(chipPsi(feature, resolved), 2)}</span>
              </a>
            </li>
          )
        })}
        {more > 0 && <li className="flex items-center px-1 text-xs text-slate-500">+{more} more</li>}
      </ul>
    </div>
  )
}
