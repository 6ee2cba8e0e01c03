import { useState } from 'react'
import { Button } from '../../../components/ui/button'
import { inputClass } from '../../../components/ui/input-class'
import { humanize } from '../../../lib/format'

const initialValues = (schema) => Object.fromEntries(schema.map((f) => [f.name, f.example]))

/** Form values → the API's JSON types: numbers for numeric features, booleans kept. */
function toTransaction(schema, values) {
  return Object.fromEntries(
    schema.map((f) => {
      const value = values[f.name]
      if (f.kind !== 'numeric') return [f.name, value]
      return [f.name, value === '' || value === null ? null : Number(value)]
    }),
  )
}

/** "distance_from_home_km" with unit km → "Distance from home (km)". */
function fieldLabel(feature) {
  if (!feature.unit) return humanize(feature.name)
  const name = feature.name.endsWith(`_${feature.unit}`) ? feature.name.slice(0, -feature.unit.length - 1) : feature.name
  return `${humanize(name)} (${feature.unit})`
}

function Field({ feature, value, error, onChange }) {
  const id = `field-${feature.name}`
  const label = fieldLabel(feature)
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
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={`w-full ${inputClass}`}>
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
          value={value ?? ''}
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

/** A transaction form generated from the model's feature schema. */
export function TransactionForm({ schema, onSubmit, busy, fieldErrors = {}, presets = [] }) {
  const [values, setValues] = useState(() => initialValues(schema))
  const set = (name) => (value) => setValues((v) => ({ ...v, [name]: value }))
  return (
    <form
      aria-label="Transaction"
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit(toTransaction(schema, values))
      }}
    >
      <div className="grid grid-cols-2 gap-x-3 gap-y-3">
        {schema.map((f) => (
          <Field key={f.name} feature={f} value={values[f.name]} error={fieldErrors[f.name]} onChange={set(f.name)} />
        ))}
      </div>
      <div className="mt-4 flex gap-2">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Scoring…' : 'Score transaction'}
        </Button>
        <Button variant="ghost" onClick={() => setValues(initialValues(schema))}>
          Typical purchase
        </Button>
        {presets.map((preset) => (
          <Button key={preset.label} variant="ghost" onClick={() => setValues((v) => ({ ...v, ...preset.values }))}>
            {preset.label}
          </Button>
        ))}
      </div>
    </form>
  )
}
