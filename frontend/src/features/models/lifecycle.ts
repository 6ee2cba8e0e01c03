/** A model's lifecycle in words: stages, traffic shares, what a comparison and a retrain say. */
import type { Tone } from '../../components/ui/badge'
import { formatPercent } from '../../lib/format'
import type { ComparisonDetails, ComparisonPoint, ComparisonSide, ModelStages, RetrainStatus, VersionStage } from '../../types/api'

/** Each stage's badge and what it means. */
export const STAGES: Record<VersionStage, { label: string; tone: Tone; hint: string }> = {
  champion: { label: 'Champion', tone: 'ok', hint: 'Answers requests' },
  shadow: { label: 'Shadow', tone: 'violet', hint: 'Scores every request after the answer; never answers' },
  canary: { label: 'Canary', tone: 'warning', hint: 'Answers its share of requests, by entity id' },
  previous: { label: 'Previous', tone: 'info', hint: 'The former champion: what Roll back serves again' },
  retired: { label: 'Retired', tone: 'muted', hint: 'Stopped: neither challenges nor is rolled back to' },
  candidate: { label: 'Candidate', tone: 'muted', hint: 'Registered, not serving' },
}

/** The share of requests a version answers: the champion all but the canary's, a shadow none. */
export function trafficShare(stage: VersionStage, stages: Pick<ModelStages, 'mode' | 'share'>): string {
  const canary = stages.mode === 'canary' ? stages.share : null
  if (stage === 'champion') return formatPercent(1 - (canary ?? 0), 0)
  if (stage === 'canary') return formatPercent(canary, 0)
  if (stage === 'shadow') return '0% (shadow)'
  return '—'
}

/** A comparison point's details, as the worker writes them (the document types them as any object). */
export const detailsOf = (point: ComparisonPoint): ComparisonDetails => point.details as ComparisonDetails

/** `version`'s side of a comparison point, when it was one of the two compared. */
export function comparedSide(point: ComparisonPoint | undefined, version: string): ComparisonSide | undefined {
  if (!point) return undefined
  const details = detailsOf(point)
  if (point.champion_version === version) return details.champion
  if (point.challenger_version === version) return details.challenger
  return undefined
}

/** The points that compare the current champion with the current challenger (a replaced challenger's are history). */
export function currentPoints(points: ComparisonPoint[], stages: Pick<ModelStages, 'champion' | 'challenger'>): ComparisonPoint[] {
  return points.filter((p) => p.champion_version === stages.champion && p.challenger_version === stages.challenger)
}

/** The gate's decision in plain words. */
export const GATE_WORDS = { promote: 'Promote the challenger', hold: 'Keep the champion' } as const

/** "only 12 of the 200 labelled rows needed" → "Only 12 of the 200 labelled rows needed." */
export const sentence = (text: string | null | undefined) => {
  const trimmed = (text ?? '').trim()
  if (!trimmed) return ''
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1)
  return /[.!?]$/.test(capital) ? capital : `${capital}.`
}

/** A retrain's hold-out: both versions' ROC-AUC on the same newest labelled rows neither trained on. */
export interface Holdout {
  rows: number | null
  challenger: number | null
  champion: number | null
}

const numberOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null

/** The hold-out of a retrained version's `source` or a registered job's `result`; null for anything else. */
export function holdoutOf(source: Record<string, unknown> | null | undefined): Holdout | null {
  const holdout = record(source?.holdout)
  if (!holdout) return null
  return { rows: numberOrNull(holdout.rows), challenger: numberOrNull(holdout.challenger_roc_auc), champion: numberOrNull(holdout.champion_roc_auc) }
}

/** Whether a version was made by a retrain (its source names app.retrain as its trainer). */
export const isRetrained = (source: Record<string, unknown> | null | undefined) => source?.trainer === 'app.retrain'

/** The steps of a retrain job, in order; a failed job ends on `failed` instead of `registered`. */
export const RETRAIN_STEPS: RetrainStatus[] = ['queued', 'training', 'evaluating', 'registered']

export const STATUS_LABELS: Record<RetrainStatus, string> = {
  queued: 'Queued',
  training: 'Training',
  evaluating: 'Evaluating',
  registered: 'Registered',
  failed: 'Failed',
}

/** Each step's state for a job at `status`: done, the current one, still to come, or where it failed. */
export type StepState = 'done' | 'current' | 'todo' | 'failed'

export function stepStates(status: RetrainStatus, startedAt: string | null): StepState[] {
  if (status === 'failed') {
    // It failed once claimed (training or evaluating) or before (refused while queued): the steps it reached.
    const reached = startedAt ? 1 : 0
    return RETRAIN_STEPS.map((_, i) => (i < reached ? 'done' : i === RETRAIN_STEPS.length - 1 ? 'failed' : 'todo'))
  }
  const at = RETRAIN_STEPS.indexOf(status)
  return RETRAIN_STEPS.map((_, i) => (i < at || status === 'registered' ? 'done' : i === at ? 'current' : 'todo'))
}
