import type { ReactNode } from 'react'
import { FIELDS, type Field } from './registration-fields'

interface FieldRowProps {
  field: Field
  hint?: ReactNode
  error: string | undefined
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode
}

/** One field of the registration form: its label, its input (`children`), a hint, or its error from the API. */
export function FieldRow({ field, hint, error, children }: FieldRowProps) {
  const id = `register-${field}`
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-400">
        {FIELDS[field]}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': error ? `${id}-error` : undefined })}
      {hint && !error && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs text-rose-300">
          {error}
        </p>
      )}
    </div>
  )
}

/** A file input, styled like the other inputs. */
export const fileClass = `w-full text-sm text-slate-300 file:mr-3 file:rounded-md file:border-0 file:bg-slate-800 file:px-2.5 file:py-1.5 file:text-sm file:text-slate-100 hover:file:bg-slate-700`
