import { Ago } from '../../../components/ago'
import { Badge } from '../../../components/ui/badge'
import { formatClock, formatInt, formatPercent } from '../../../lib/format'
import { useSimulatedModel, useSimulator } from '../../../lib/api/get-simulator'
import { useDriftHistory } from '../api/get-drift-history'
import type { Drift, DriftRun } from '../../../types/api'
import { useDriftIncident } from '../drift-incident'
import { driftVerdict, ruleCount, verdictText } from '../verdict'

const LOOK = {
  dataset: { border: 'border-rose-500/40 bg-rose-500/5', text: 'text-rose-200', badge: 'critical', word: 'Dataset drift' },
  features: { border: 'border-amber-500/40 bg-amber-500/5', text: 'text-amber-200', badge: 'warning', word: 'Below the dataset rule' },
  calm: { border: 'border-emerald-500/30 bg-emerald-500/5', text: 'text-emerald-200', badge: 'ok', word: 'Stable' },
} as const

/** When a single feature counts as drifted, with the cycle's thresholds (the parts it has). */
function featureRule(t: Drift['thresholds']): string {
  const floors = [
    t.ks_floor !== undefined && `KS ≥ ${t.ks_floor} for numbers`,
    t.psi_floor !== undefined && `PSI ≥ ${t.psi_floor} for categories`,
  ].filter(Boolean)
  const alpha = t.alpha !== undefined ? ` at p < ${t.alpha}` : ''
  return `A feature drifts when its test rejects${alpha}${floors.length ? ` and the shift is large enough (${floors.join(', ')})` : ''}.`
}

/**
 * The Drift view's lead: the dataset's verdict in one line ("Drifted: 3 of 13 features · since
 * 13:46:25 · detected in 40 s"), the rules that decide it, and the cycle it comes from.
 * `top`: the most drifted feature, whose history dates the drift when no incident does.
 */
export function DatasetVerdict({ model, drift, run, top }: { model: string; drift: Drift; run: DriftRun; top: string | undefined }) {
  const incident = useDriftIncident(model)
  const anyDrift = drift.features.some((f) => f.drifted)
  const history = useDriftHistory(model, anyDrift && !incident ? top : undefined).data
  const simulator = useSimulator().data
  // The simulator's switch dates the drift of the model whose traffic it makes.
  const simulated = useSimulatedModel() === model
  const scenarioSince = simulated && simulator && simulator.scenario !== 'none' ? simulator.updated_at : null
  const verdict = driftVerdict(drift, { incident, history: history?.points, scenarioSince })
  const look = verdict.datasetDrift ? LOOK.dataset : verdict.drifted ? LOOK.features : LOOK.calm
  const [head, ...rest] = verdictText(verdict).split(' · ')
  return (
    <section
      className={`rounded-xl border p-4 ${look.border}`}
      data-testid="drift-verdict"
      data-drifted={verdict.drifted > 0}
      data-dataset-drift={verdict.datasetDrift}
      data-source={verdict.source ?? ''}
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <p className="min-w-0 text-lg font-semibold leading-snug text-slate-100 sm:text-xl" data-testid="verdict-text">
          <span className={look.text}>{head}</span>
          {rest.map((part) => (
            <span key={part} className="font-normal text-slate-300">
              {' · '}
              {part}
            </span>
          ))}
        </p>
        <Badge tone={look.badge}>{look.word}</Badge>
      </div>
      <p className="mt-2 text-sm text-slate-300" data-testid="dataset-rule">
        <span className="font-medium text-slate-200">Dataset rule:</span> the dataset drifts when at least {formatPercent(verdict.threshold, 0)} of its
        features do ({ruleCount(verdict)} of {verdict.total}); now {formatPercent(verdict.share, 0)}.{' '}
        <span className="text-slate-400">{featureRule(drift.thresholds)}</span>
      </p>
      <p className="mt-2 text-xs text-slate-400">
        Window {formatClock(run.window_start)}–{formatClock(run.window_end)} · {formatInt(run.n_rows)} predictions · cycle finished{' '}
        <Ago iso={run.finished_at} />
        {verdict.source === 'history' && verdict.since && ' · dated from the drift history'}
      </p>
    </section>
  )
}
