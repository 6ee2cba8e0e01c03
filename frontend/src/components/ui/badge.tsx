import type { ComponentProps } from 'react'
import type { Severity } from '../../types/api'

const STYLES = {
  none: 'bg-emerald-500/15 text-emerald-300 ring-emerald-500/30',
  ok: 'bg-emerald-500/15 text-emerald-300 ring-emerald-500/30',
  moderate: 'bg-amber-500/15 text-amber-300 ring-amber-500/30',
  warning: 'bg-amber-500/15 text-amber-300 ring-amber-500/30',
  significant: 'bg-rose-500/15 text-rose-300 ring-rose-500/40',
  critical: 'bg-rose-500/15 text-rose-300 ring-rose-500/40',
  info: 'bg-sky-500/15 text-sky-300 ring-sky-500/30',
  violet: 'bg-violet-500/15 text-violet-300 ring-violet-500/30',
  muted: 'bg-slate-500/15 text-slate-300 ring-slate-500/30',
}

/** Colours shared by badges and charts, keyed by severity. */
export const SEVERITY_COLORS: Record<Severity, string> = { none: '#34d399', moderate: '#fbbf24', significant: '#f43f5e' }

export type Tone = keyof typeof STYLES

interface BadgeProps extends ComponentProps<'span'> {
  tone?: Tone
  'data-severity'?: string
}

export function Badge({ tone = 'muted', children, ...rest }: BadgeProps) {
  return (
    <span
      className={`inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLES[tone] ?? STYLES.muted}`}
      {...rest}
    >
      {children}
    </span>
  )
}

const SEVERITY_LABELS: Record<Severity, string> = { none: 'No drift', moderate: 'Moderate', significant: 'Significant' }

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={severity} data-severity={severity}>
      {SEVERITY_LABELS[severity] ?? severity}
    </Badge>
  )
}
