/** Short names of the worker's statistical tests, as shown in the table and the feature detail. */
export const TEST_LABELS = { ks: 'KS', chi2: 'χ²' }

/** PSI thresholds drawn when the drift body carries none (the worker's defaults). */
export const DEFAULT_PSI_THRESHOLDS = { psi_moderate: 0.1, psi_significant: 0.25 }
