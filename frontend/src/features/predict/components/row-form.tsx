import { useState } from 'react'
import { Button } from '../../../components/ui/button'
import { inputClass } from '../../../components/ui/input-class'
import { humanize } from '../../../lib/format'
import { featureLabel } from '../../../lib/format-feature'
import type { FeatureSpec } from '../../../types/api'

/** What a field holds: the text of a number input, a category, a checkbox's state. */
type FieldValue = FeatureSpec['example'] | null
type Values = Record<string, FieldValue>
/** One input row as the API takes it: every feature of the schema by name, typed. */
export type Row = Record<string, FieldValue>

const initialValues = (schema: FeatureSpec[]): Values => Object.fromEntries(schema.map((f) => [f.name, f.example]))

/**
 * Form values → the API's JSON types: numbers for numeric features, booleans kept. The
 * fields are the model's own feature schema; the backend checks every value and names a
 * wrong one in its 422.
 */
function toRow(schema: FeatureSpec[], values: Values): Row {
  return Object.fromEntries(
    schema.map((f) => {
      const value = values[f.name]
      if (f.kind !== 'numeric') return [f.name, value]
      return [f.name, value === '' || value === null ? null : Number(value)]
    }),
  )
}

interface FieldProps {
  feature: FeatureSpec
  value: FieldValue
  error: string | undefined
  onChange: (value: FieldValue) => void
}

function Field({ feature, value, error, onChange }: FieldProps) {
  const id = `field-${feature.name}`
  const label = featureLabel(feature)
  if (feature.kind === 'boolean') {
    return (
      <label htmlFor={id} className="flex items-center gap-2 self-end py-1.5 text-sm text-slate-200" title={feature.description}>
        <input id={id} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} className="h-4 w-4 accent-sky-500" />
        {label}
      </label>
    )
  }
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-slate-400" title={feature.description}>
        {label}
      </label>
      {feature.kind === 'categorical' ? (
        <select id={id} value={String(value)} onChange={(e) => onChange(e.target.value)} className={`w-full ${inputClass}`}>
          {feature.categories.map((c) => (
            <option key={c} value={c}>
              {humanize(c)}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type="number"
          value={typeof value === 'boolean' ? String(value) : (value ?? '')}
          min={feature.minimum ?? undefined}
          max={feature.maximum ?? undefined}
          step={feature.dtype === 'int' ? 1 : 'any'}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : undefined}
          className={`w-full ${inputClass}`}
        />
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs text-rose-300">
          {error}
        </p>
      )}
    </div>
  )
}

/** An input form generated from a model's feature schema. */
interface RowFormProps {
  schema: FeatureSpec[]
  onSubmit: (row: Row) => void
  busy: boolean
  fieldErrors?: Record<string, string>
  presets?: { label: string; values: Partial<Row> }[]
  /** The form's accessible name and its buttons' words. */
  name?: string
  submitLabel?: string
  resetLabel?: string
}

export function RowForm({
  schema,
  onSubmit,
  busy,
  fieldErrors = {},
  presets = [],
  name = 'Model input',
  submitLabel = 'Score',
  resetLabel = 'Reference example',
}: RowFormProps) {
  const [values, setValues] = useState<Values>(() => initialValues(schema))
  const set = (name: string) => (value: FieldValue) => setValues((v) => ({ ...v, [name]: value }))
  return (
    <form
      aria-label={name}
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit(toRow(schema, values))
      }}
    >
      <div className="grid grid-cols-2 gap-x-3 gap-y-3">
        {schema.map((f) => (
          <Field key={f.name} feature={f} value={values[f.name]} error={fieldErrors[f.name]} onChange={set(f.name)} />
        ))}
      </div>
      <div className="mt-4 flex flex-wrap gap-2 [&>button]:whitespace-nowrap">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Scoring…' : submitLabel}
        </Button>
        <Button variant="ghost" onClick={() => setValues(initialValues(schema))}>
          {resetLabel}
        </Button>
        {presets.map((preset) => (
          <Button key={preset.label} variant="ghost" onClick={() => setValues((v) => ({ ...v, ...preset.values }) as Values)}>
            {preset.label}
          </Button>
        ))}
      </div>
    </form>
  )
}
