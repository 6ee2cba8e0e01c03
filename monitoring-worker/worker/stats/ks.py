"""Two-sample Kolmogorov-Smirnov test against the stored reference sample (SciPy).

The p-value is SciPy's asymptotic one: the exact distribution costs tens of
milliseconds per feature at window sizes in the thousands, and the two agree
closely at those sizes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import ks_2samp

from worker.stats.registry import StatTest, TestResult, register

METHOD = "asymp"


def ks(reference: Mapping, values: np.ndarray) -> TestResult:
    result = ks_2samp(np.asarray(reference["sample"], dtype=float), np.asarray(values, dtype=float), method=METHOD)
    return TestResult(statistic=float(result.statistic), p_value=float(result.pvalue))


KS = register(
    StatTest("ks", frozenset({"numeric"}), "alpha", "low", ks, floor_key="ks_floor", effect_is_statistic=True)
)
