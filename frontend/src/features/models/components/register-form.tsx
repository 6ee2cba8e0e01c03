import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { inputClass } from '../../../components/ui/input-class'
import { StateMessage } from '../../../components/ui/state-message'
import { ApiError } from '../../../lib/api-client'
import { useSession } from '../../../lib/auth/session'
import { useActionError, useSignedInAction, useSignInGate } from '../../../lib/auth/sign-in-gate'
import { formatInt, formatNumber, formatPercent } from '../../../lib/format'
import { useSelectModel } from '../../../lib/use-selected-model'
import type { FieldError, Registration } from '../../../types/api'
import { useRegisterModel } from '../api/register-model'

/** The form's own fields, as POST /models names them, and how the page calls them. */
const FIELDS = {
  name: 'Name',
  artifact: 'Model file',
  reference: 'Reference data',
  schema: 'Schema file',
  label: 'Label column',
  threshold: 'Decision threshold',
  description: 'Description',
} as const
type Field = keyof typeof FIELDS
const isField = (name: string): name is Field => name in FIELDS

/** The reference metrics worth showing, in order, with their format. */
const METRICS: [string, string, (value: number) => string][] = [
  ['roc_auc', 'ROC-AUC', (v) => formatNumber(v, 3)],
  ['pr_auc', 'PR-AUC', (v) => formatNumber(v, 3)],
  ['precision', 'Precision', (v) => formatPercent(v, 1)],
  ['recall', 'Recall', (v) => formatPercent(v, 1)],
  ['f1', 'F1', (v) => formatNumber(v, 3)],
  ['positive_rate', 'Positive rate', (v) => formatPercent(v, 1)],
  ['n', 'Rows', (v) => formatInt(v)],
]

interface Inputs {
  name: string
  artifact: File | null
  reference: File | null
  schema: File | null
  label: string
  threshold: string
  description: string
}

const EMPTY: Inputs = { name: '', artifact: null, reference: null, schema: null, label: '', threshold: '', description: '' }

/** The multipart form of POST /models; the browser sets its Content-Type (with the boundary). */
function formData(inputs: Inputs, dryRun: boolean): FormData {
  const form = new FormData()
  form.set('name', inputs.name.trim())
  if (inputs.artifact) form.set('artifact', inputs.artifact)
  if (inputs.reference) form.set('reference', inputs.reference)
  if (inputs.schema) form.set('schema', inputs.schema)
  if (inputs.label.trim()) form.set('label', inputs.label.trim())
  if (inputs.threshold.trim()) form.set('threshold', inputs.threshold.trim())
  form.set('description', inputs.description.trim())
  form.set('dry_run', String(dryRun))
  return form
}

/** "name" → "Name"; a column of the reference → "Column ‘mean radius’". */
const where = (field: string) => (isField(field) ? FIELDS[field] : `Column ‘${field}’`)

function Problems({ errors }: { errors: FieldError[] }) {
  return (
    <div role="alert" className="rounded-lg border border-rose-500/40 bg-rose-500/5 p-3" data-testid="registration-problems">
      <p className="text-sm font-medium text-rose-200">
        {errors.length === 1 ? 'One problem' : `${errors.length} problems`} to fix before this model can be registered:
      </p>
      <ul className="mt-2 space-y-1 text-sm">
        {errors.map((e, i) => (
          <li key={`${e.field}-${i}`} data-field={e.field}>
            <span className="font-medium text-rose-200">{where(e.field)}:</span>{' '}
            <span className="text-slate-300">{e.message}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** What the dry run found: the version it would store, its metrics on the reference and the feature schema. */
function Review({ review }: { review: Registration }) {
  const { version } = review
  const metrics = METRICS.filter(([key]) => typeof version.metrics[key] === 'number')
  return (
    <div className="space-y-4" data-testid="registration-review">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-300">
        <Badge tone="ok">Check passed</Badge>
        <span>
          Nothing is stored yet: <span className="font-mono text-slate-100">{review.name}</span> would become version{' '}
          <span className="font-mono text-xs text-slate-100">{version.version}</span> ({version.format}, {formatInt(review.reference_rows)}{' '}
          reference rows, threshold {formatNumber(version.threshold, 3)}).
        </span>
      </div>
      {review.schema_inferred && (
        <p className="text-xs text-amber-300">The schema was inferred from the reference data: review the features below before registering.</p>
      )}
      {metrics.length > 0 && (
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wider text-slate-400">
            On the reference data{version.label_column ? ` (label ‘${version.label_column}’)` : ''}
          </h3>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-7" data-testid="reference-metrics">
            {metrics.map(([key, label, format]) => (
              <div key={key} className="rounded-lg border border-slate-800 bg-slate-950/40 px-3 py-2">
                <dt className="text-[11px] font-medium uppercase tracking-wider text-slate-500">{label}</dt>
                <dd className="text-base font-semibold tabular-nums text-slate-100">{format(version.metrics[key])}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      <div>
        <h3 className="mb-2 text-xs font-medium uppercase tracking-wider text-slate-400">{version.features.length} features</h3>
        <div className="max-h-[26rem] overflow-auto rounded-lg border border-slate-800">
          <table className="w-full text-[13px]" data-testid="inferred-schema">
            <thead className="sticky top-0 bg-slate-900">
              <tr className="border-b border-slate-800 text-left text-xs uppercase tracking-wider text-slate-400">
                <th className="px-3 py-2 font-medium">Feature</th>
                <th className="px-3 py-2 font-medium">Kind</th>
                <th className="px-3 py-2 font-medium">Type or categories</th>
              </tr>
            </thead>
            <tbody>
              {version.features.map((f) => (
                <tr key={f.name} data-feature={f.name} className="border-b border-slate-800/60 last:border-0">
                  <td className="px-3 py-1.5 font-mono text-xs text-slate-100">{f.name}</td>
                  <td className="px-3 py-1.5 text-slate-300">{f.kind}</td>
                  <td className="px-3 py-1.5 text-slate-400">
                    {f.kind === 'categorical' && f.categories.length ? f.categories.join(', ') : f.dtype}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  )
}

interface FieldRowProps {
  field: Field
  hint?: ReactNode
  error: string | undefined
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode
}

function FieldRow({ field, hint, error, children }: FieldRowProps) {
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

const fileClass = `w-full text-sm text-slate-300 file:mr-3 file:rounded-md file:border-0 file:bg-slate-800 file:px-2.5 file:py-1.5 file:text-sm file:text-slate-100 hover:file:bg-slate-700`

/** The error to show for a failed check or registration (a 422's problems are listed on their own). */
function useFailure(error: Error | null): string | null {
  const role = useSession().data?.role
  const generic = useActionError(error)
  if (error instanceof ApiError && error.status === 422 && error.errors.length) return null
  // A 403 to an admin is not about the role: the API says why (today it refuses an upload signed by the session cookie).
  if (error instanceof ApiError && error.isForbidden && role === 'admin') {
    return `${error.message}. Until the API accepts an upload from a signed-in dashboard, register with the admin key: POST /api/v1/models with X-API-Key, or python -m app.registry register.`
  }
  return generic
}

/** Register a model (admin): check it first (a dry run shows the inferred schema and metrics), then register it. */
function RegisterPanel() {
  const [inputs, setInputs] = useState<Inputs>(EMPTY)
  const [formKey, setFormKey] = useState(0) // remounts the file inputs to clear them
  const check = useRegisterModel()
  const save = useRegisterModel()
  const selectModel = useSelectModel()
  const runCheck = useSignedInAction(check.mutate)
  const runSave = useSignedInAction(save.mutate)
  const failed = save.error ?? check.error // a check resets the registration; a registration follows a passed check
  const failure = useFailure(failed)
  const problems = failed instanceof ApiError && failed.status === 422 ? failed.errors : []
  const fieldErrors: Partial<Record<Field, string>> = Object.fromEntries(problems.filter((e) => isField(e.field)).map((e) => [e.field, e.message]))
  const busy = check.isPending || save.isPending
  const ready = Boolean(inputs.name.trim() && inputs.artifact && inputs.reference)
  const formId = useId()

  const set = <K extends keyof Inputs>(key: K, value: Inputs[K]) => {
    setInputs((v) => ({ ...v, [key]: value }))
    check.reset() // what was checked is no longer what would be registered
    save.reset()
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!ready || busy) return
    save.reset()
    runCheck(formData(inputs, true))
  }
  const register = () => {
    runSave(formData(inputs, false))
  }
  const again = () => {
    setInputs(EMPTY)
    setFormKey((k) => k + 1)
    check.reset()
    save.reset()
  }

  if (save.data) {
    const saved = save.data
    return (
      <div className="space-y-3" data-testid="registration-saved">
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-200">
          <Badge tone="ok">Registered</Badge>
          <span>
            <span className="font-mono">{saved.name}</span> version <span className="font-mono text-xs">{saved.version.version}</span> is
            stored and served; the monitoring worker judges it from its next cycle.
          </span>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" onClick={() => selectModel(saved.name, 'overview')}>
            Open {saved.name}
          </Button>
          <Button variant="ghost" onClick={again}>
            Register another
          </Button>
        </div>
      </div>
    )
  }

  return (
    <div className="space-y-4">
      <form key={formKey} id={formId} aria-label="Register a model" noValidate onSubmit={submit} className="grid gap-x-4 gap-y-3 md:grid-cols-2">
        <FieldRow field="name" hint="Lower-case letters, digits and -; an existing name gets a new version." error={fieldErrors.name}>
          {(props) => (
            <input {...props} type="text" autoComplete="off" spellCheck={false} value={inputs.name} onChange={(e) => set('name', e.target.value)} className={`w-full font-mono ${inputClass}`} />
          )}
        </FieldRow>
        <FieldRow field="threshold" hint="Between 0 and 1; 0.5 when empty." error={fieldErrors.threshold}>
          {(props) => (
            <input {...props} type="number" min={0} max={1} step="any" placeholder="0.5" value={inputs.threshold} onChange={(e) => set('threshold', e.target.value)} className={`w-full ${inputClass}`} />
          )}
        </FieldRow>
        <FieldRow field="artifact" hint="XGBoost JSON or UBJ, or ONNX (never a pickle)." error={fieldErrors.artifact}>
          {(props) => <input {...props} type="file" accept=".json,.ubj,.onnx" onChange={(e) => set('artifact', e.target.files?.[0] ?? null)} className={fileClass} />}
        </FieldRow>
        <FieldRow field="reference" hint="CSV or Parquet: the model's inputs by column name." error={fieldErrors.reference}>
          {(props) => <input {...props} type="file" accept=".csv,.parquet,.pq" onChange={(e) => set('reference', e.target.files?.[0] ?? null)} className={fileClass} />}
        </FieldRow>
        <FieldRow field="label" hint="Optional: the reference's 0/1 label, for metrics and realized performance." error={fieldErrors.label}>
          {(props) => (
            <input {...props} type="text" autoComplete="off" spellCheck={false} value={inputs.label} onChange={(e) => set('label', e.target.value)} className={`w-full font-mono ${inputClass}`} />
          )}
        </FieldRow>
        <FieldRow field="schema" hint="Optional JSON list of features; inferred from the reference when absent." error={fieldErrors.schema}>
          {(props) => <input {...props} type="file" accept=".json,application/json" onChange={(e) => set('schema', e.target.files?.[0] ?? null)} className={fileClass} />}
        </FieldRow>
        <div className="md:col-span-2">
          <FieldRow field="description" error={fieldErrors.description}>
            {(props) => (
              <input {...props} type="text" maxLength={500} value={inputs.description} onChange={(e) => set('description', e.target.value)} className={`w-full ${inputClass}`} />
            )}
          </FieldRow>
        </div>
      </form>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" form={formId} disabled={!ready || busy}>
          {check.isPending ? 'Checking…' : 'Check'}
        </Button>
        <Button variant="primary" onClick={register} disabled={!check.data || busy}>
          {save.isPending ? 'Registering…' : 'Register'}
        </Button>
        <span className="text-xs text-slate-500">
          {check.data ? 'Checked: Register stores this version.' : 'Check runs every test and stores nothing; Register follows a passed check.'}
        </span>
      </div>
      {problems.length > 0 && <Problems errors={problems} />}
      {failure && (
        <StateMessage kind="error" title={save.error ? 'Could not register this model' : 'Could not check this model'}>
          {failure}
        </StateMessage>
      )}
      {check.data && !failed && <Review review={check.data} />}
    </div>
  )
}

/** The register form for an admin; anyone else is asked to sign in with an admin key. */
export function RegisterCard() {
  const session = useSession().data
  const { ask } = useSignInGate()
  const admin = session?.authenticated && session.role === 'admin'
  return (
    <Card title="Register a model" subtitle="Upload a model and its reference data; Driftwatch serves and monitors it like the fraud model" data-testid="register-card">
      {admin ? (
        <RegisterPanel />
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-dashed border-slate-700 px-4 py-3" data-testid="register-sign-in">
          <p className="text-sm text-slate-400">
            {session?.authenticated
              ? `Registering needs an admin key; the signed-in key is ${session.role}. Sign out and sign in with ADMIN_API_KEYS.`
              : 'Registering a model needs an admin key (ADMIN_API_KEYS). Reading stays open to everyone.'}
          </p>
          {!session?.authenticated && (
            <Button size="sm" variant="primary" onClick={() => ask('manual')}>
              Sign in
            </Button>
          )}
        </div>
      )}
    </Card>
  )
}
