import { useState } from 'react'
import { SeverityBadge } from '../../../components/ui/badge'
import { Card } from '../../../components/ui/card'
import { QueryState, StateMessage } from '../../../components/ui/state-message'
import { WaitingForCycle } from '../../../components/waiting-for-cycle'
import { config } from '../../../config/env'
import { formatClock, formatInt, formatNumber, formatPValue, humanize } from '../../../lib/format'
import { useDrift } from '../../../lib/queries'
import type { Drift, DriftRun, DriftThresholds, FeatureDrift } from '../../../types/api'
import { TEST_LABELS } from '../drift-constants'
import { FeatureTable } from './feature-table'
import { HistogramChart } from './histogram-chart'
import { HistoryChart } from './history-chart'
import { PsiChart } from './psi-chart'
import { Ago } from '../../../components/ago'

function RunLine({ run, thresholds }: { run: DriftRun; thresholds: DriftThresholds }) {
  return (
    <p className="text-xs text-slate-400">
      Window {formatClock(run.window_start)}–{formatClock(run.window_end)} · {formatInt(run.n_rows)} predictions · cycle
      finished <Ago iso={run.finished_at} /> · PSI lines at {thresholds?.psi_moderate} (moderate) and{' '}
      {thresholds?.psi_significant} (significant)
    </p>
  )
}

function FeatureDetail({ item, thresholds }: { item: FeatureDrift; thresholds: DriftThresholds }) {
  return (
    <Card
      title={`${humanize(item.feature)}: reference vs current`}
      subtitle={`PSI ${formatNumber(item.psi, 3)} · ${TEST_LABELS[item.test] ?? item.test} ${formatNumber(item.statistic, 3)} · p ${formatPValue(item.p_value)}`}
      action={<SeverityBadge severity={item.severity} />}
      data-testid="feature-detail"
    >
      <div className="grid gap-4 xl:grid-cols-2">
        <div>
          <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">Distribution</h3>
          <HistogramChart histogram={item.histogram} />
        </div>
        <div>
          <h3 className="mb-1 text-xs font-medium uppercase tracking-wider text-slate-400">Over time</h3>
          <HistoryChart feature={item.feature} thresholds={thresholds} />
        </div>
      </div>
    </Card>
  )
}

function ScoreDrift({ score, onSelect }: { score: FeatureDrift | null; onSelect: (feature: string) => void }) {
  if (!score) return null
  return (
    <Card
      title={`Prediction drift (${humanize(score.feature).toLowerCase()})`}
      subtitle={`PSI ${formatNumber(score.psi, 3)} · KS ${formatNumber(score.statistic, 3)} · p ${formatPValue(score.p_value)}`}
      action={<SeverityBadge severity={score.severity} />}
      data-testid="score-drift"
    >
      <HistogramChart histogram={score.histogram} height={200} />
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

function DriftReport({ drift, run }: { drift: Drift; run: DriftRun }) {
  const ranked = bySeverity(drift.features)
  // Until a feature is clicked, the detail follows the most drifted one as cycles land.
  const [picked, setSelected] = useState<string | undefined>()
  const [schemaOrder, setSchemaOrder] = useState(false)
  const selected = picked ?? ranked[0]?.feature
  const all = drift.score ? [...drift.features, drift.score] : drift.features
  const item = all.find((f) => f.feature === selected) ?? ranked[0]
  return (
    <div className="space-y-4">
      <RunLine run={run} thresholds={drift.thresholds} />
      {drift.status === 'insufficient_data' && (
        <StateMessage title="Too few predictions in the window">
          The tests below use fewer rows than the worker's minimum; treat them as indicative.
        </StateMessage>
      )}
      <div className="grid gap-4 xl:grid-cols-[minmax(0,0.85fr)_minmax(0,1.15fr)]">
        <Card title="PSI per feature" subtitle="Click a bar or a feature name for its distributions">
          <PsiChart features={drift.features} thresholds={drift.thresholds} selected={item?.feature} onSelect={setSelected} />
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
          <FeatureTable features={schemaOrder ? drift.features : ranked} selected={item?.feature} onSelect={setSelected} />
        </Card>
      </div>
      {item && <FeatureDetail key={item.feature} item={item} thresholds={drift.thresholds} />}
      <ScoreDrift score={drift.score} onSelect={setSelected} />
    </div>
  )
}

export default function DriftView() {
  const drift = useDrift()
  return (
    <QueryState query={drift} loading="Loading drift results…">
      {(data) =>
        data.status === 'no_data' || !data.run ? (
          <WaitingForCycle cycle="drift">
            The worker compares the last minutes of predictions with the training reference every{' '}
            {config.driftCycleSeconds} s; results appear here as soon as the first cycle lands.
          </WaitingForCycle>
        ) : (
          <DriftReport drift={data} run={data.run} />
        )
      }
    </QueryState>
  )
}
