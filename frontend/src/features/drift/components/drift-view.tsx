import { useEffect, useRef, useState } from 'react'
import { SeverityBadge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { WaitingForCycle } from '../../../components/waiting-for-cycle'
import { config } from '../../../config/env'
import { useFeatureSpecs, type FeatureSpecs } from '../../../lib/feature-specs'
import { replaceHashParams, useHashParam } from '../../../lib/hash-params'
import { formatNumber, formatPValue } from '../../../lib/format'
import type { Drift, DriftRun, DriftThresholds, FeatureDrift } from '../../../types/api'
import type { ViewProps } from '../../../types/view'
import { useDrift } from '../api/get-drift'
import { colourRule, formatStatistic, TEST_LABELS } from '../drift-constants'
import { DatasetVerdict } from './dataset-verdict'
import { FeatureTable } from './feature-table'
import { HistogramChart } from './histogram-chart'
import { HistoryChart } from './history-chart'
import { PsiChart } from './psi-chart'

interface FeatureDetailProps {
  model: string
  item: FeatureDrift
  thresholds: DriftThresholds
  specs: FeatureSpecs
}

function FeatureDetail({ model, item, thresholds, specs }: FeatureDetailProps) {
  const label = specs.label(item.feature)
  return (
    <Card
      title={`${label}: reference vs current`}
      subtitle={`PSI ${formatNumber(item.psi, 3)} · ${TEST_LABELS[item.test] ?? item.test} ${formatStatistic(item.statistic)} · p ${formatPValue(item.p_value)}`}
      action={<SeverityBadge severity={item.severity} />}
      data-testid="feature-detail"
      data-feature={item.feature}
    >
      <div className="grid gap-4 xl:grid-cols-2">
        <div className="min-w-0">
          <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">Distribution</h3>
          <HistogramChart histogram={item.histogram} spec={specs.spec(item.feature)} />
        </div>
        <div className="min-w-0">
          <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">Over time</h3>
          <HistoryChart model={model} feature={item.feature} label={label} thresholds={thresholds} />
        </div>
      </div>
    </Card>
  )
}

function ScoreDrift({ score, onSelect, specs }: { score: FeatureDrift | null; onSelect: (feature: string) => void; specs: FeatureSpecs }) {
  if (!score) return null
  return (
    <Card
      title={`Prediction drift (${specs.label(score.feature).toLowerCase()})`}
      subtitle={`PSI ${formatNumber(score.psi, 3)} · KS ${formatStatistic(score.statistic)} · p ${formatPValue(score.p_value)}`}
      action={<SeverityBadge severity={score.severity} />}
      data-testid="score-drift"
    >
      <HistogramChart histogram={score.histogram} spec={specs.spec(score.feature)} height={200} />
      <button type="button" className="mt-2 text-xs text-sky-300 hover:underline" onClick={() => onSelect(score.feature)}>
        Show the score's history →
      </button>
    </Card>
  )
}

const SEVERITY_RANK: Record<string, number> = { significant: 2, moderate: 1, none: 0 }

/** Most severe first: drifted before not, then by severity, then by PSI. */
export function bySeverity(features: Drift['features']) {
  return [...features].sort(
    (a, b) =>
      Number(b.drifted) - Number(a.drifted) ||
      (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0) ||
      (b.psi ?? 0) - (a.psi ?? 0),
  )
}

/** Selecting a feature puts it in the URL (#/drift?feature=amount), so a link (an alert's) opens it too. */
const selectFeature = (feature: string) => replaceHashParams('drift', { feature })

function DriftReport({ model, drift, run }: { model: string; drift: Drift; run: DriftRun }) {
  const ranked = bySeverity(drift.features)
  const specs = useFeatureSpecs(model)
  const linked = useHashParam('feature')
  const [schemaOrder, setSchemaOrder] = useState(false)
  const all = drift.score ? [...drift.features, drift.score] : drift.features
  // Until a feature is chosen (a click, or a link), the detail follows the most drifted one as cycles land.
  const item = all.find((f) => f.feature === linked) ?? ranked[0]
  const detail = useRef<HTMLDivElement>(null)
  const arrivedWith = useRef(linked)
  const linkedFound = Boolean(item && item.feature === linked)
  useEffect(() => {
    // Opened from a link to a feature: bring its detail into sight, once.
    if (arrivedWith.current && linkedFound) detail.current?.scrollIntoView?.({ block: 'start' })
    arrivedWith.current = null
  }, [linkedFound])
  return (
    <div className="space-y-4">
      <DatasetVerdict model={model} drift={drift} run={run} top={ranked[0]?.drifted ? ranked[0].feature : undefined} />
      {drift.status === 'insufficient_data' && (
        <StateMessage title="Too few predictions in the window">
          The tests below use fewer rows than the worker's minimum; treat them as indicative.
        </StateMessage>
      )}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4 xl:grid-cols-[minmax(0,0.85fr)_minmax(0,1.15fr)]">
        <Card
          title="PSI per feature"
          subtitle={`Click a bar or a feature name for its distributions · lines at ${drift.thresholds.psi_moderate} (moderate) and ${drift.thresholds.psi_significant} (significant)`}
        >
          <PsiChart features={drift.features} thresholds={drift.thresholds} selected={item?.feature} onSelect={selectFeature} label={specs.label} />
        </Card>
        <Card
          title="Statistical tests"
          subtitle={`Kolmogorov–Smirnov for numbers, chi-square for categories · ${schemaOrder ? 'schema order' : 'most drifted first'}`}
          action={
            <button
              type="button"
              data-testid="feature-order"
              aria-pressed={schemaOrder}
              onClick={() => setSchemaOrder((v) => !v)}
              className="shrink-0 rounded-md px-2 py-1 text-xs text-sky-300 ring-1 ring-slate-700 hover:bg-slate-800"
            >
              {schemaOrder ? 'Most drifted first' : 'Schema order'}
            </button>
          }
        >
          <FeatureTable features={schemaOrder ? drift.features : ranked} selected={item?.feature} onSelect={selectFeature} label={specs.label} />
          <p className="mt-3 text-xs leading-relaxed text-slate-400" data-testid="colour-rule">
            {colourRule(drift.thresholds)} Shape: the training reference in grey, the current window in blue.
          </p>
        </Card>
      </div>
      <div ref={detail} className="scroll-mt-20">
        {item && <FeatureDetail key={item.feature} model={model} item={item} thresholds={drift.thresholds} specs={specs} />}
      </div>
      <ScoreDrift score={drift.score} onSelect={selectFeature} specs={specs} />
    </div>
  )
}

export default function DriftView({ model }: ViewProps) {
  const drift = useDrift(model)
  return (
    <QueryState query={drift} loading="Loading drift results…">
      {(data) =>
        data.status === 'no_data' || !data.run ? (
          <WaitingForCycle cycle="drift">
            The worker compares the last minutes of predictions with the training reference every{' '}
            {config.driftCycleSeconds} s; results appear here as soon as the first cycle lands.
          </WaitingForCycle>
        ) : (
          <DriftReport model={model} drift={data} run={data.run} />
        )
      }
    </QueryState>
  )
}
