import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import { Badge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { useActionError, useSignedInAction } from '../../../lib/auth/sign-in-gate'
import { formatMs, formatNumber, formatPercent } from '../../../lib/format'
import { ApiError } from '../../../lib/api-client'
import { FRAUD_MODEL, useSelectedModel } from '../../../lib/model-selection'
import { answeringVersion, useLastRowScore, useLastScore, useModel, usePredictExplain, useRegisteredModel, useScoreRow, type RowScore, type Score } from '../../../lib/queries'
import type { FeatureSpec, Transaction } from '../../../types/api'
import { ShapBars } from './shap-bars'
import { TransactionForm, type Row } from './transaction-form'

/** Values with the generator's fraud signals, for a one-click demo of a risky transaction. */
const PRESETS: { label: string; values: Partial<Row> }[] = [
  {
    label: 'Suspicious purchase',
    values: {
      amount: 2400, hour_of_day: 3, merchant_category: 'electronics', distance_from_home_km: 4200,
      distance_from_last_txn_km: 3900, ratio_to_median_amount: 14, txn_count_24h: 14, card_present: false,
      entry_mode: 'manual', account_age_days: 20, customer_age: 23, is_international: true,
    },
  },
]

/** The input of a model's last answer, kept beside it (the answer's id ties them): each SHAP bar shows its feature's value. */
interface LastInput {
  id: string
  row: Record<string, unknown>
}
const inputKey = (model: string) => ['last-score-input', model]

function useLastInput(model: string, id: string | undefined): Record<string, unknown> | null {
  const stored = useQuery<LastInput | null>({ queryKey: inputKey(model), queryFn: () => null, initialData: null, staleTime: Infinity, gcTime: Infinity }).data
  return stored && stored.id === id ? stored.row : null
}

type Mutate<V, R> = (variables: V, options: { onError: (error: Error) => void; onSuccess?: (result: R) => void }) => void

/** `mutate`, also keeping the input of each answer under the answer's id. */
function useRememberInput<V extends object, R>(model: string, mutate: Mutate<V, R>, idOf: (result: R) => string) {
  const client = useQueryClient()
  return useCallback(
    (variables: V, options: { onError: (error: Error) => void }) =>
      mutate(variables, {
        ...options,
        onSuccess: (result) => client.setQueryData<LastInput>(inputKey(model), { id: idOf(result), row: { ...variables } as Record<string, unknown> }),
      }),
    [client, model, mutate, idOf],
  )
}

const predictionId = (score: Score) => score.prediction.prediction_id
const rowScoreId = (score: RowScore) => score.score.prediction_id

function Result({ prediction, explanation, schema, values }: Score & { schema?: FeatureSpec[]; values: Record<string, unknown> | null }) {
  const fraud = prediction.decision === 'fraud'
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-6">
        <div>
          <div className="text-xs uppercase tracking-wider text-slate-400">Fraud probability</div>
          <div className={`whitespace-nowrap text-4xl font-bold tabular-nums sm:text-5xl ${fraud ? 'text-rose-300' : 'text-emerald-300'}`} data-testid="stat-value">
            <span data-testid="fraud-probability">{formatPercent(prediction.fraud_probability, 1)}</span>
          </div>
        </div>
        <div className="space-y-1 pb-1 text-sm text-slate-400">
          <Badge tone={fraud ? 'critical' : 'ok'}>{fraud ? 'Flag as fraud' : 'Approve'}</Badge>
          <div>
            threshold {formatNumber(prediction.threshold, 3)} · scored in {formatMs(prediction.latency_ms)}
          </div>
        </div>
      </div>
      <div>
        <h3 className="text-sm font-semibold text-slate-200">Why: SHAP contributions</h3>
        <p className="mb-1 text-xs text-slate-400">
          From the base value {formatNumber(explanation.base_value, 2)} to {formatNumber(explanation.margin, 2)} log-odds, the sum of the bars.
        </p>
        <ShapBars contributions={explanation.contributions} schema={schema} values={values} towards="fraud" />
      </div>
    </div>
  )
}

function RowResult({ score, explanation, unexplained, schema, values }: RowScore & { schema?: FeatureSpec[]; values: Record<string, unknown> | null }) {
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-6">
        <div>
          <div className="text-xs uppercase tracking-wider text-slate-400">Score</div>
          <div className={`whitespace-nowrap text-4xl font-bold tabular-nums sm:text-5xl ${score.decision ? 'text-rose-300' : 'text-emerald-300'}`} data-testid="stat-value">
            <span data-testid="model-score">{formatNumber(score.score, 3)}</span>
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
          <ShapBars contributions={explanation.contributions} schema={schema} values={values} towards="the positive class" />
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

/** Score one row with a registered model: a form from its schema; the score explained when the model allows (XGBoost). */
function RegisteredPredict({ name }: { name: string }) {
  const model = useRegisteredModel(name)
  const scoring = useScoreRow(name)
  const score = useSignedInAction(useRememberInput(name, scoring.mutate, rowScoreId))
  const error = useActionError(scoring.error)
  const last = useLastRowScore(name).data
  const values = useLastInput(name, last?.score.prediction_id)
  const schema = model.data ? answeringVersion(model.data)?.features : undefined
  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
      <Card title="Input" subtitle={`Fields come from ${name}'s feature schema`}>
        <QueryState query={model} loading="Loading the model schema…">
          {(m) => {
            const served = answeringVersion(m) // the champion answers: its inputs, not a newer candidate's
            return served ? (
              <TransactionForm
                key={served.version}
                schema={served.features}
                busy={scoring.isPending}
                onSubmit={score}
                fieldErrors={scoring.error instanceof ApiError ? scoring.error.fieldErrors : undefined}
                name="Model input"
                submitLabel="Score"
                resetLabel="Reference example"
              />
            ) : (
              <StateMessage title="No version yet">Register a version of {name} first.</StateMessage>
            )
          }}
        </QueryState>
      </Card>
      {/* A schema can be long: the answer stays in sight beside the form while it scrolls (wide screens). */}
      <Card title="Score and explanation" className="xl:sticky xl:top-[4.75rem] xl:self-start">
        {error && (
          <StateMessage kind="error" title="Could not score this input">
            {error}
          </StateMessage>
        )}
        {last && !error && <RowResult {...last} schema={schema} values={values} />}
        {!last && !error && (
          <StateMessage title="Score an input">
            Edit the fields and press “Score”: the model’s probability of the positive class and its decision appear here
            {explainNote(model.data ? answeringVersion(model.data)?.format : undefined)}
          </StateMessage>
        )}
      </Card>
    </div>
  )
}

export default function PredictView() {
  const name = useSelectedModel()
  return name === FRAUD_MODEL ? <FraudPredict /> : <RegisteredPredict key={name} name={name} />
}

function FraudPredict() {
  const model = useModel()
  const scoring = usePredictExplain()
  const score = useSignedInAction(useRememberInput(FRAUD_MODEL, scoring.mutate, predictionId))
  const error = useActionError(scoring.error)
  const last = useLastScore().data
  const values = useLastInput(FRAUD_MODEL, last?.prediction.prediction_id)
  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_minmax(0,1.2fr)]">
      <Card title="Transaction" subtitle="Fields come from the served model's feature schema">
        <QueryState query={model} loading="Loading the model schema…">
          {(m) => (
            <TransactionForm schema={m.feature_schema ?? []} busy={scoring.isPending} onSubmit={(row) => score(row as Transaction)} fieldErrors={scoring.error instanceof ApiError ? scoring.error.fieldErrors : undefined} presets={PRESETS} />
          )}
        </QueryState>
      </Card>
      <Card title="Score and explanation">
        {error && (
          <StateMessage kind="error" title="Could not score this transaction">
            {error}
          </StateMessage>
        )}
        {last && !error && <Result {...last} schema={model.data?.feature_schema ?? undefined} values={values} />}
        {!last && !error && (
          <StateMessage title="Score a transaction">
            Edit the fields and press “Score transaction”: the model’s probability and each feature’s SHAP contribution appear here.
          </StateMessage>
        )}
      </Card>
    </div>
  )
}
