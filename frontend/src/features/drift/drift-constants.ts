/**
 * Short names of the worker's hypothesis tests (monitoring-worker/worker/stats/ks.py and
 * chi2.py), as shown in the table and the feature detail. The API names a result's test
 * (`test`) but has no display label for it; backend/tests/test_frontend_contract.py
 * checks that every test the worker registers has one here.
 */
export const TEST_LABELS: Record<string, string> = { ks: 'KS', chi2: 'χ²' }
