import { Badge } from '../../../components/ui/badge'
import { formatInt, formatNumber, formatPercent } from '../../../lib/format'
import type { FieldError, Registration } from '../../../types/api'
import { FIELDS, isField } from './registration-fields'

/** The reference metrics worth showing, in order, with their format. */
const METRICS: [string, string, (value: number) => string][] = [
  ['roc_auc', 'ROC-AUC', (v) => formatNumber(v, 3)],
  ['pr_auc', 'PR-AUC', (v) => formatNumber(v, 3)],
  ['precision', 'Precision', (v) => formatPercent(v, 1)],
  ['recall', 'Recall', (v) => formatPercent(v, 1)],
  ['f1', 'F1', (v) => formatNumber(v, 3)],
  ['positive_rate', 'Positive rate', (v) => formatPercent(v, 1)],
  ['n', 'Rows', (v) => formatInt(v)],
]

/** "name" → "Name"; a column of the reference → "Column ‘mean radius’". */
const where = (field: string) => (isField(field) ? FIELDS[field] : `Column ‘${field}’`)

/** A refused check's problems, each by the field or reference column it concerns. */
export function Problems({ errors }: { errors: FieldError[] }) {
  return (
    <div role="alert" className="rounded-lg border border-rose-500/40 bg-rose-500/5 p-3" data-testid="registration-problems">
      <p className="text-sm font-medium text-rose-200">
        {errors.length === 1 ? 'One problem' : `${errors.length} problems`} to fix before this model can be registered:
      </p>
      <ul className="mt-2 space-y-1 text-sm">
        {errors.map((e, i) => (
          <li key={`${e.field}-${i}`} data-field={e.field}>
            <span className="font-medium text-rose-200">{where(e.field)}:</span>{' '}
            <span className="text-slate-300">{e.message}</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** What the dry run found: the version it would store, its metrics on the reference and the feature schema. */
export function Review({ review }: { review: Registration }) {
  const { version } = review
  const metrics = METRICS.filter(([key]) => typeof version.metrics[key] === 'number')
  return (
    <div className="space-y-4" data-testid="registration-review">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-300">
        <Badge tone="ok">Check passed</Badge>
        <span>
          Nothing is stored yet: <span className="font-mono text-slate-100">{review.name}</span> would become version{' '}
          <span className="font-mono text-xs text-slate-100">{version.version}</span> ({version.format}, {formatInt(review.reference_rows)}{' '}
          reference rows, threshold {formatNumber(version.threshold, 3)}).
        </span>
      </div>
      {review.schema_inferred && (
        <p className="text-xs text-amber-300">The schema was inferred from the reference data: review the features below before registering.</p>
      )}
      {metrics.length > 0 && (
        <div>
          <h3 className="mb-2 text-xs font-medium uppercase tracking-wider text-slate-400">
            On the reference data{version.label_column ? ` (label ‘${version.label_column}’)` : ''}
          </h3>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-7" data-testid="reference-metrics">
            {metrics.map(([key, label, format]) => (
              <div key={key} className="rounded-lg border border-slate-800 bg-slate-950/40 px-3 py-2">
                <dt className="text-[11px] font-medium uppercase tracking-wider text-slate-500">{label}</dt>
                <dd className="text-base font-semibold tabular-nums text-slate-100">{format(version.metrics[key])}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      <div>
        <h3 className="mb-2 text-xs font-medium uppercase tracking-wider text-slate-400">{version.features.length} features</h3>
        <div className="max-h-[26rem] overflow-auto rounded-lg border border-slate-800">
          <table className="w-full text-[13px]" data-testid="inferred-schema">
            <thead className="sticky top-0 bg-slate-900">
              <tr className="border-b border-slate-800 text-left text-xs uppercase tracking-wider text-slate-400">
                <th className="px-3 py-2 font-medium">Feature</th>
                <th className="px-3 py-2 font-medium">Kind</th>
                <th className="px-3 py-2 font-medium">Type or categories</th>
              </tr>
            </thead>
            <tbody>
              {version.features.map((f) => (
                <tr key={f.name} data-feature={f.name} className="border-b border-slate-800/60 last:border-0">
                  <td className="px-3 py-1.5 font-mono text-xs text-slate-100">{f.name}</td>
                  <td className="px-3 py-1.5 text-slate-300">{f.kind}</td>
                  <td className="px-3 py-1.5 text-slate-400">
                    {f.kind === 'categorical' && f.categories.length ? f.categories.join(', ') : f.dtype}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  )
}
