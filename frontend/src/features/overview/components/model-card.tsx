import type { ReactNode } from 'react'
import { Ago } from '../../../components/ago'
import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { useModels } from '../../../lib/api/get-models'
import { useServedVersion } from '../../../lib/api/get-served-version'
import { formatNumber, formatPercent } from '../../../lib/format'
import { featureLabel } from '../../../lib/format-feature'
import type { FeatureSpec, ServedVersion } from '../../../types/api'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-3 border-b border-slate-800/70 py-1.5 text-sm last:border-0">
      <dt className="text-slate-400">{label}</dt>
      <dd className="truncate text-right font-medium tabular-nums text-slate-100">{children}</dd>
    </div>
  )
}

function Features({ features }: { features: FeatureSpec[] }) {
  return (
    <>
      <div className="mt-3 text-xs text-slate-400">{features.length} features</div>
      <ul className="mt-1.5 flex flex-wrap gap-1.5">
        {features.map((f) => (
          <li key={f.name} title={f.description || undefined} className="rounded bg-slate-800 px-1.5 py-0.5 text-[11px] text-slate-300">
            {featureLabel(f)}
          </li>
        ))}
      </ul>
    </>
  )
}

/** What the served version is, when it was trained, its quality on its reference data and its inputs. */
function Served({ version }: { version: ServedVersion }) {
  const { roc_auc: rocAuc, precision, recall } = version.metrics
  return (
    <>
      <dl>
        <Row label="Version">
          <span className="font-mono text-xs">{version.version}</span>
        </Row>
        <Row label="Format">{version.format}</Row>
        <Row label="Trained">
          <Ago iso={version.trained_at} />
        </Row>
        <Row label="Reference ROC-AUC">{formatNumber(rocAuc, 3)}</Row>
        {(precision !== undefined || recall !== undefined) && (
          <Row label="Precision / recall">
            {formatPercent(precision, 0)} / {formatPercent(recall, 0)}
          </Row>
        )}
        <Row label="Decision threshold">{formatNumber(version.threshold, 3)}</Row>
      </dl>
      <Features features={version.features} />
    </>
  )
}

/** The card of the version `model` serves now (GET /models/{name}/model). */
export function ModelCard({ model }: { model: string }) {
  const served = useServedVersion(model)
  const description = useModels().data?.find((m) => m.name === model)?.description
  return (
    <Card title="Model" subtitle={description || `The version ${model} serves`}>
      <QueryState query={served} loading="Loading the model card…">
        {(version) => <Served version={version} />}
      </QueryState>
    </Card>
  )
}
