import { SEVERITY_COLORS } from '../../components/ui/badge'
import { formatInt, formatNumber } from '../../lib/format'
import type { DriftThresholds, FeatureDrift } from '../../types/api'

/**
 * Short names of the worker's hypothesis tests (monitoring-worker/worker/stats/ks.py and
 * chi2.py), as shown in the table and the feature detail. The API names a result's test
 * (`test`) but has no display label for it; backend/tests/test_frontend_contract.py
 * checks that every test the worker registers has one here.
 */
export const TEST_LABELS: Record<string, string> = { ks: 'KS', chi2: 'χ²' }

/** A test statistic: three decimals (KS is within 0–1), a whole number once it is large (χ² on thousands of rows). */
export const formatStatistic = (value: number | null | undefined) =>
  value !== null && value !== undefined && Math.abs(value) >= 100 ? formatInt(value) : formatNumber(value, 3)

/**
 * The one colour rule of the Drift view: a feature's colour is its drift verdict (`severity`), in
 * the PSI bars, the table's badges and the sparklines alike. The worker's verdict is the PSI band,
 * raised to moderate when the hypothesis test confirms a shift PSI alone calls none.
 */
export const verdictColor = (feature: Pick<FeatureDrift, 'severity'>): string => SEVERITY_COLORS[feature.severity] ?? '#64748b'

/** The colour rule in one sentence, with the cycle's own thresholds. */
export function colourRule(thresholds: DriftThresholds): string {
  const moderate = formatNumber(thresholds.psi_moderate, 2)
  const significant = formatNumber(thresholds.psi_significant, 2)
  return (
    `Colour is each feature's drift verdict, the same in bars and badges: green no drift; amber moderate ` +
    `(PSI ${moderate}–${significant}, or a shift the test confirms below PSI ${moderate}); red significant (PSI ≥ ${significant}).`
  )
}
