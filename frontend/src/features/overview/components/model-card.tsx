import { Card } from '../../../components/ui/card'
import { QueryState } from '../../../components/ui/state-message'
import { formatAgo, formatNumber, formatPercent, humanize } from '../../../lib/format'
import type { ReactNode } from 'react'
import { useModel } from '../../../lib/queries'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-3 border-b border-slate-800/70 py-1.5 text-sm last:border-0">
      <dt className="text-slate-400">{label}</dt>
      <dd className="truncate text-right font-medium tabular-nums text-slate-100">{children}</dd>
    </div>
  )
}

/** The served model: version, training time, hold-out quality and its features. */
export function ModelCard() {
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
              <Row label="Trained">{formatAgo(m.trained_at)}</Row>
              <Row label="Hold-out ROC-AUC">{formatNumber(m.metrics?.roc_auc, 3)}</Row>
              <Row label="Precision / recall">
                {formatPercent(m.metrics?.precision, 0)} / {formatPercent(m.metrics?.recall, 0)}
              </Row>
              <Row label="Decision threshold">{formatNumber(m.threshold, 3)}</Row>
            </dl>
            <div className="mt-3 text-xs text-slate-400">{m.feature_schema?.length ?? 0} features</div>
            <ul className="mt-1.5 flex flex-wrap gap-1.5">
              {m.feature_schema?.map((f) => (
                <li key={f.name} title={f.description} className="rounded bg-slate-800 px-1.5 py-0.5 text-[11px] text-slate-300">
                  {humanize(f.name)}
                </li>
              ))}
            </ul>
          </>
        )}
      </QueryState>
    </Card>
  )
}
