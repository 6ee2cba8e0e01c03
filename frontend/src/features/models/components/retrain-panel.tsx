import { Badge } from '../../../components/ui/badge'
import { Button } from '../../../components/ui/button'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useIsAdmin } from '../../../lib/auth/session'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatInt, formatNumber } from '../../../lib/format'
import { isActiveJob, useRetrainJobs } from '../api/get-retrain-jobs'
import { useRetrain } from '../api/retrain-model'
import type { RetrainJob } from '../../../types/api'
import { holdoutOf, RETRAIN_STEPS, STATUS_LABELS, stepStates, type StepState } from '../lifecycle'
import { Ago } from '../../../components/ago'

const STEP_STYLES: Record<StepState, { dot: string; text: string }> = {
  done: { dot: 'bg-emerald-400', text: 'text-slate-300' },
  current: { dot: 'bg-sky-400 animate-pulse', text: 'text-sky-200 font-medium' },
  todo: { dot: 'bg-slate-700', text: 'text-slate-500' },
  failed: { dot: 'bg-rose-400', text: 'text-rose-300 font-medium' },
}

/** queued → training → evaluating → registered, each step done, current or to come; or failed at the end. */
function Steps({ job }: { job: RetrainJob }) {
  const states = stepStates(job.status, job.started_at)
  return (
    <ol className="flex flex-wrap items-center gap-x-1.5 gap-y-1 text-xs" aria-label={`Job ${job.id}: ${STATUS_LABELS[job.status]}`}>
      {RETRAIN_STEPS.map((step, i) => {
        const state = states[i]
        const label = state === 'failed' ? STATUS_LABELS.failed : STATUS_LABELS[step]
        return (
          <li key={step} className="flex items-center gap-1.5" data-step={state === 'failed' ? 'failed' : step} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
            {i > 0 && <span aria-hidden className={`h-px w-3 sm:w-5 ${state === 'todo' ? 'bg-slate-700' : 'bg-slate-500'}`} />}
            <span aria-hidden className={`h-2 w-2 shrink-0 rounded-full ${STEP_STYLES[state].dot}`} />
            <span className={STEP_STYLES[state].text}>{label}</span>
          </li>
        )
      })}
    </ol>
  )
}

const STATUS_TONES = { queued: 'info', training: 'info', evaluating: 'info', registered: 'ok', failed: 'critical' } as const

/** What a finished job says: the challenger it registered and its hold-out, or why it failed. */
function Outcome({ job }: { job: RetrainJob }) {
  if (job.status === 'failed') {
    return (
      <p className="text-xs text-rose-300" data-testid="retrain-job-error">
        {job.error || 'Failed without a reason.'}
      </p>
    )
  }
  if (job.status === 'registered') {
    const holdout = holdoutOf(job.result)
    return (
      <p className="text-xs text-slate-300" data-testid="retrain-job-version">
        New challenger <span className="font-mono text-slate-100">{job.version}</span> in shadow
        {holdout && (
          <span className="text-slate-400">
            {' '}
            · hold-out ROC-AUC {formatNumber(holdout.challenger, 3)} vs {formatNumber(holdout.champion, 3)} for the champion on {formatInt(holdout.rows)} rows
          </span>
        )}
      </p>
    )
  }
  return (
    <p className="truncate font-mono text-xs text-slate-400" data-testid="retrain-job-progress" title={job.progress}>
      {job.progress || 'waiting for a runner'}
    </p>
  )
}

function JobItem({ job }: { job: RetrainJob }) {
  const trigger = job.trigger === 'policy' ? 'Policy' : 'Manual'
  return (
    <li className="space-y-2 py-3" data-testid="retrain-job" data-status={job.status} data-job-id={job.id}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex min-w-0 flex-wrap items-center gap-2 text-xs text-slate-400">
          <span className="font-medium text-slate-200">Job #{job.id}</span>
          <Badge tone={job.trigger === 'policy' ? 'violet' : 'muted'} title={job.trigger === 'policy' ? 'Started by the worker’s retrain policy' : 'Asked for by hand'}>
            {trigger}
          </Badge>
          <span className="truncate">
            {job.requested_by && `${job.requested_by} · `}
            <Ago iso={job.created_at} />
          </span>
        </div>
        <Badge tone={STATUS_TONES[job.status]} data-testid="retrain-job-status" data-status={job.status}>
          {STATUS_LABELS[job.status]}
        </Badge>
      </div>
      <Steps job={job} />
      <Outcome job={job} />
    </li>
  )
}

/** The Retrain button (admin) and the refusal's reason (409: a job already runs, too few labels). */
function RetrainButton({ model, running }: { model: string; running: boolean }) {
  const retrain = useRetrain()
  const run = useSignedInAction(retrain.mutate)
  const error = useActionError(retrain.error)
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="primary"
        disabled={retrain.isPending || running}
        title={running ? 'A retrain of this model is under way' : 'Train a challenger on recent labelled traffic'}
        onClick={() => run({ model })}
        data-testid="retrain-button"
      >
        {retrain.isPending ? 'Queueing…' : 'Retrain'}
      </Button>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-rose-300" data-testid="retrain-error">
          {error}
        </p>
      )}
    </div>
  )
}

/** A model's newest retrain jobs as they go, and (for an admin) the button that asks for one. */
export function RetrainPanel({ model }: { model: string }) {
  const admin = useIsAdmin()
  const jobs = useRetrainJobs(model)
  const running = Boolean(jobs.data?.some((job) => isActiveJob(job.status)))
  return (
    <Card
      title="Retraining"
      subtitle="A challenger trained on recent labelled traffic, evaluated on the newest rows and registered in shadow"
      action={admin ? <RetrainButton model={model} running={running} /> : undefined}
      data-testid="retrain-panel"
    >
      <QueryState query={jobs} loading="Loading retrain jobs…" errorTitle="Could not load the retrain jobs">
        {(list) =>
          list.length === 0 ? (
            <StateMessage title="No retrain yet">
              Retrain trains a challenger on this model’s recent labelled predictions; it joins in shadow and is compared with the champion.
            </StateMessage>
          ) : (
            <ol className="divide-y divide-slate-800" aria-label={`Retrain jobs of ${model}`}>
              {list.map((job) => (
                <JobItem key={job.id} job={job} />
              ))}
            </ol>
          )
        }
      </QueryState>
    </Card>
  )
}
