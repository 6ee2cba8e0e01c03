import { useId, useState, type FormEvent } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { inputClass } from '../../../components/ui/input-class'
import { StateMessage } from '../../../components/ui/state-message'
import { ApiError } from '../../../lib/api-client'
import { useSession } from '../../../lib/auth/session'
import { useActionError, useSignedInAction, useSignInGate } from '../../../lib/auth/sign-in-gate'
import { useSelectModel } from '../../../lib/use-selected-model'
import { useRegisterModel } from '../api/register-model'
import { FieldRow, fileClass } from './field-row'
import { isField, type Field } from './registration-fields'
import { Problems, Review } from './registration-review'

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
    <Card title="Register a model" subtitle="Upload a model and its reference data; Driftwatch serves and monitors it like every other model" data-testid="register-card">
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
