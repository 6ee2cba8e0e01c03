import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useServedVersion } from '../../../lib/api/get-served-version'
import { ApiError } from '../../../lib/api-client'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatMs, formatNumber, formatPercent } from '../../../lib/format'
import { keys } from '../../../lib/query-keys'
import type { FeatureSpec, ModelRow } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { useLastRowScore, useScoreRow, type RowScore } from '../api/score-row'
import { presetsFor } from '../presets'
import { RowForm } from './row-form'
import { ShapBars } from './shap-bars'

/** The input of a model's last answer, kept beside it (the answer's id ties them): each SHAP bar shows its feature's value. */
interface LastInput {
  id: string
  row: Record<string, unknown>
}

function useLastInput(model: string, id: string | undefined): Record<string, unknown> | null {
  const stored = useQuery<LastInput | null>({ queryKey: keys.lastInput(model), queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity }).data
  return stored && stored.id === id ? stored.row : null
}

type Mutate = (row: ModelRow, options: { onError: (error: Error) => void; onSuccess?: (result: RowScore) => void }) => void

/** `mutate`, also keeping the input of each answer under the answer's id. */
function useRememberInput(model: string, mutate: Mutate) {
  const client = useQueryClient()
  return useCallback(
    (row: ModelRow, options: { onError: (error: Error) => void }) =>
      mutate(row, {
        ...options,
        onSuccess: (result) => client.setQueryData<LastInput>(keys.lastInput(model), { id: result.score.prediction_id, row: { ...row } }),
      }),
    [client, model, mutate],
  )
}

function Result({ score, explanation, unexplained, schema, values }: RowScore & { schema?: FeatureSpec[]; values: Record<string, unknown> | null }) {
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-6">
        <div>
          <div className="text-xs uppercase tracking-wider text-slate-400">Probability of the positive class</div>
          <div className={`whitespace-nowrap text-4xl font-bold tabular-nums sm:text-5xl ${score.decision ? 'text-rose-300' : 'text-emerald-300'}`} data-testid="stat-value">
            <span data-testid="model-score">{formatPercent(score.score, 1)}</span>
          </div>
        </div>
        <div className="space-y-1 pb-1 text-sm text-slate-400">
          <Badge tone={score.decision ? 'critical' : 'ok'}>{score.decision ? 'Positive' : 'Negative'}</Badge>
          <div>
            threshold {formatNumber(score.threshold, 3)} · scored in {formatMs(score.latency_ms)}
          </div>
          <div className="font-mono text-xs text-slate-500">
            version {score.model_version}
            {score.stage === 'canary' && (
              <span className="ml-2 font-sans">
                <Badge tone="warning" title="The canary answers its share of requests; the champion the rest" data-testid="answered-by-canary">
                  Canary
                </Badge>
              </span>
            )}
          </div>
        </div>
      </div>
      {explanation ? (
        <div>
          <h3 className="text-sm font-semibold text-slate-200">Why: SHAP contributions</h3>
          <p className="mb-1 text-xs text-slate-400">
            From the base value {formatNumber(explanation.base_value, 2)} to {formatNumber(explanation.margin, 2)} log-odds, the sum of the bars.
          </p>
          <ShapBars contributions={explanation.contributions} schema={schema} values={values} />
        </div>
      ) : (
        <p className="border-t border-slate-800 pt-3 text-xs text-slate-400" data-testid="explain-unavailable">
          No explanation for this score: {unexplained ?? 'the API gave none'}.
        </p>
      )}
    </div>
  )
}

/** What the wait for a first score says about explanations, once the model's format is known. */
function explainNote(format: string | undefined) {
  if (!format) return '.'
  return format === 'onnx' ? ', without an explanation (ONNX models are scored and monitored, not explained).' : ', with each feature’s SHAP contribution.'
}

/** Score one row with the model: a form from the served version's schema; the score explained when the model allows (XGBoost). */
export default function PredictView({ model }: ViewProps) {
  const served = useServedVersion(model)
  const scoring = useScoreRow(model)
  const score = useSignedInAction(useRememberInput(model, scoring.mutate))
  const error = useActionError(scoring.error)
  const last = useLastRowScore(model).data
  const values = useLastInput(model, last?.score.prediction_id)
  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
      <Card title="Input" subtitle={`Fields come from ${model}'s feature schema`}>
        <QueryState query={served} loading="Loading the model schema…">
          {(version) => (
            // The served version's inputs (the champion's), not a newer candidate's; a new one starts the form again.
            <RowForm
              key={version.version}
              schema={version.features}
              presets={presetsFor(version.features)}
              busy={scoring.isPending}
              onSubmit={score}
              fieldErrors={scoring.error instanceof ApiError ? scoring.error.fieldErrors : undefined}
            />
          )}
        </QueryState>
      </Card>
      {/* A schema can be long: the answer stays in sight beside the form while it scrolls (wide screens). */}
      <Card title="Score and explanation" className="xl:sticky xl:top-[4.75rem] xl:self-start">
        {error && (
          <StateMessage kind="error" title="Could not score this input">
            {error}
          </StateMessage>
        )}
        {last && !error && <Result {...last} schema={served.data?.features} values={values} />}
        {!last && !error && (
          <StateMessage title="Score an input">
            Edit the fields and press “Score”: the model’s probability of the positive class and its decision appear here
            {explainNote(served.data?.format)}
          </StateMessage>
        )}
      </Card>
    </div>
  )
}
