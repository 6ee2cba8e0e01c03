import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { featureLabel, formatNumber, formatPercent } from '../../../lib/format'
import type { ReactNode } from 'react'
import { FRAUD_MODEL, useSelectedModel } from '../../../lib/model-selection'
import { answeringVersion, useModel, useRegisteredModel } from '../../../lib/queries'
import type { FeatureSpec } from '../../../types/api'
import { Ago } from '../../../components/ago'

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

/** A registered model's answering version (its champion): what it is, when it came, its quality on its reference and its inputs. */
function RegisteredModelCard({ name }: { name: string }) {
  const model = useRegisteredModel(name)
  return (
    <Card title="Model" subtitle={model.data?.description || `The registered model ${name}`}>
      <QueryState query={model} loading="Loading the model card…">
        {(m) => {
          const served = answeringVersion(m)
          return served ? (
            <>
              <dl>
                <Row label="Version">
                  <span className="font-mono text-xs">{served.version}</span>
                </Row>
                <Row label="Format">{served.format}</Row>
                <Row label="Registered"><Ago iso={served.registered_at} /></Row>
                <Row label="Reference ROC-AUC">{formatNumber(served.metrics.roc_auc, 3)}</Row>
                <Row label="Decision threshold">{formatNumber(served.threshold, 3)}</Row>
              </dl>
              <Features features={served.features} />
            </>
          ) : (
            <p className="text-sm text-slate-400">No version registered yet.</p>
          )
        }}
      </QueryState>
    </Card>
  )
}

/** The selected model's card: the served fraud model's (GET /model) or a registered one's. */
export function ModelCard() {
  const name = useSelectedModel()
  return name === FRAUD_MODEL ? <FraudModelCard /> : <RegisteredModelCard name={name} />
}

/** The served fraud model: version, training time, hold-out quality and its features. */
function FraudModelCard() {
  const model = useModel()
  return (
    <Card title="Model" subtitle="The fraud classifier being served">
      <QueryState query={model} loading="Loading the model card…">
        {(m) => (
          <>
            <dl>
              <Row label="Version">
                <span className="font-mono text-xs">{m.version}</span>
              </Row>
              <Row label="Trained"><Ago iso={m.trained_at} /></Row>
              <Row label="Hold-out ROC-AUC">{formatNumber(m.metrics?.roc_auc, 3)}</Row>
              <Row label="Precision / recall">
                {formatPercent(m.metrics?.precision, 0)} / {formatPercent(m.metrics?.recall, 0)}
              </Row>
              <Row label="Decision threshold">{formatNumber(m.threshold, 3)}</Row>
            </dl>
            <Features features={m.feature_schema ?? []} />
          </>
        )}
      </QueryState>
    </Card>
  )
}
