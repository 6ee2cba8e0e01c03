import type { ComponentProps, ReactNode } from 'react'

interface CardProps extends Omit<ComponentProps<'section'>, 'title'> {
  title?: ReactNode
  subtitle?: ReactNode
  action?: ReactNode
  'data-testid'?: string
}

export function Card({ title, subtitle, action, children, className = '', ...rest }: CardProps) {
  return (
    <section className={`rounded-xl border border-slate-800 bg-slate-900/70 p-4 shadow-sm ${className}`} {...rest}>
      {(title || action) && (
        <header className="mb-3 flex items-start justify-between gap-3">
          <div className="min-w-0">
            {title && <h2 className="text-sm font-semibold tracking-wide text-slate-200">{title}</h2>}
            {subtitle && <p className="mt-0.5 text-xs text-slate-400">{subtitle}</p>}
          </div>
          {action}
        </header>
      )}
      {children}
    </section>
  )
}
