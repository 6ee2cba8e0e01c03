/** Loading, empty and error states that say what is happening and what to do. */
import type { ReactNode } from 'react'

const TONES = {
  loading: 'border-slate-800 text-slate-400',
  empty: 'border-slate-800 text-slate-400',
  error: 'border-rose-500/40 bg-rose-500/5 text-rose-200',
}

interface StateMessageProps {
  kind?: keyof typeof TONES
  title?: ReactNode
  children?: ReactNode
  className?: string
}

export function StateMessage({ kind = 'empty', title, children, className = '' }: StateMessageProps) {
  return (
    <div
      role={kind === 'error' ? 'alert' : 'status'}
      className={`flex min-h-24 flex-col items-center justify-center gap-1 rounded-lg border border-dashed px-4 py-6 text-center text-sm ${TONES[kind]} ${className}`}
    >
      {kind === 'loading' && (
        <span aria-hidden className="mb-1 h-4 w-4 animate-spin rounded-full border-2 border-slate-600 border-t-sky-400" />
      )}
      {title && <p className="font-medium text-slate-200">{title}</p>}
      {children && <p className="max-w-md">{children}</p>}
    </div>
  )
}

/** Renders the loading or error state of a query, or its children once data is there. */
/** The parts of a useQuery result QueryState reads. */
interface QueryLike<T> {
  isPending: boolean
  isError: boolean
  data: T | undefined
  error: Error | null
}

interface QueryStateProps<T> {
  query: QueryLike<T>
  loading?: string
  errorTitle?: string
  children: (data: T) => ReactNode
}

export function QueryState<T>({ query, loading = 'Loading…', errorTitle = 'Could not load this data', children }: QueryStateProps<T>) {
  if (query.isPending) return <StateMessage kind="loading" title={loading} />
  if (query.isError && query.data === undefined) {
    return (
      <StateMessage kind="error" title={errorTitle}>
        {query.error?.message}
      </StateMessage>
    )
  }
  return children(query.data as T) // loaded, or failed to refresh data it still holds
}
