import type { ReactNode } from 'react'
import { formatInt, formatNumber, formatPercent } from '../../../lib/format'
import type { PerformancePoint } from '../../../types/api'

type Metric = 'roc_auc' | 'pr_auc' | 'precision' | 'recall' | 'f1' | 'accuracy'
/** A column's figures: a cycle's realized or estimated metrics, or the served version's on its reference data. */
type Metrics = Partial<Record<Metric, number | null>>

const METRICS: [Metric, string, (value: number | null | undefined) => string][] = [
  ['roc_auc', 'ROC-AUC', (v) => formatNumber(v, 3)],
  ['pr_auc', 'PR-AUC', (v) => formatNumber(v, 3)],
  ['precision', 'Precision', (v) => formatPercent(v, 1)],
  ['recall', 'Recall', (v) => formatPercent(v, 1)],
  ['f1', 'F1', (v) => formatNumber(v, 3)],
  ['accuracy', 'Accuracy', (v) => formatPercent(v, 1)],
]

/** Realized (labels) beside estimated (CBPE, before labels, its ROC-AUC with its 90% band) beside the served version's reference figures. */
interface MetricsTableProps {
  realized: PerformancePoint | null
  estimated: PerformancePoint | null
  reference: Metrics | undefined
}

/** Fewer labelled predictions than this (the worker's WORKER_MIN_LABELS default) judge nothing yet. */
export const MIN_LABELS = 100

const CBPE = (
  <abbr
    title="Confidence-based performance estimation (as NannyML's CBPE): when the scores are calibrated, a score p is positive with probability p, so the expected confusion matrix and ROC curve follow from the scores alone, before any label arrives"
    className="cursor-help underline decoration-dotted"
  >
    CBPE
  </abbr>
)

export function MetricsTable({ realized, estimated, reference }: MetricsTableProps) {
  const labels = realized?.n_rows ?? 0
  const few = realized !== null && labels < MIN_LABELS
  const columns: [string, ReactNode, Metrics | null | undefined, string][] = [
    [
      'Realized',
      few ? <span data-testid="few-labels">from only {formatInt(labels)} labels: too few to judge</span> : 'from delayed labels',
      realized,
      few ? 'text-slate-500' : 'text-slate-50',
    ],
    ['Estimated', <>{CBPE}, before labels</>, estimated, 'text-violet-200'],
    ['Reference', 'served version', reference, 'text-slate-400'],
  ]
  return (
    <table className="w-full text-sm" data-testid="performance-table">
      <thead>
        <tr className="border-b border-slate-800 text-left text-xs uppercase tracking-wider text-slate-400">
          <th className="py-2 pr-2 font-medium">Metric</th>
          {columns.map(([label, hint]) => (
            <th key={label} className="px-2 py-2 text-right font-medium">
              {label}
              <div className="text-[10px] font-normal normal-case tracking-normal text-slate-500">{hint}</div>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {METRICS.map(([key, label, format]) => (
          <tr key={key} className="border-b border-slate-800/60 last:border-0">
            <td className="py-2 pr-2 whitespace-nowrap text-slate-300">{label}</td>
            {columns.map(([col, , values, tone]) => (
              <td key={col} className={`px-2 py-2 text-right text-base font-semibold tabular-nums ${tone}`}>
                {format(values?.[key])}
                {col === 'Estimated' && key === 'roc_auc' && estimated?.roc_auc_low != null && estimated.roc_auc_high != null && (
                  <div className="text-[10px] font-normal text-slate-500" data-testid="estimated-band" title="Where a realized ROC-AUC falls while the scores still hold (90% of calibrated label draws)">
                    90%: {format(estimated.roc_auc_low)}–{format(estimated.roc_auc_high)}
                  </div>
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
