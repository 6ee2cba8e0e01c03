import type { ReactNode } from 'react'

const TONES = { default: 'text-slate-50', good: 'text-emerald-300', warn: 'text-amber-300', bad: 'text-rose-300' }

interface StatProps {
  label: ReactNode
  value: ReactNode
  hint?: ReactNode
  tone?: keyof typeof TONES
  testId?: string
  className?: string
  children?: ReactNode
}

/** One headline number with its label, an optional hint below and optional extra content (children) after it.
 * The number is never cut: it shrinks on narrow screens and the label wraps instead. */
export function Stat({ label, value, hint, tone = 'default', testId, className = '', children }: StatProps) {
  return (
    <div className={`min-w-0 rounded-xl border border-slate-800 bg-slate-900/70 px-4 py-3 ${className}`}>
      <div className="text-xs font-medium uppercase leading-snug tracking-wider break-words text-slate-400">{label}</div>
      {/* Every headline number is a stat-value (tests check none is cut); the caller's testId names this one. It breaks
          only at a space ("1,234 / 56"), never inside a number. */}
      <div className={`mt-1 text-xl font-semibold tabular-nums sm:text-2xl ${TONES[tone]}`} data-testid="stat-value">
        {testId ? <span data-testid={testId}>{value}</span> : value}
      </div>
      {hint && <div className="mt-0.5 text-xs leading-snug text-slate-500">{hint}</div>}
      {children}
    </div>
  )
}
