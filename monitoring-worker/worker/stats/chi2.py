"""Chi-square test of the current category counts against the reference (SciPy).

The reference is stored as shares of ``n`` rows; the test compares the two
count vectors as a 2 x k contingency table (``scipy.stats.chi2_contingency``),
so categories unseen in the reference need no special case. Categories empty
in both samples are dropped (they carry no information).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.stats import chi2_contingency

from worker.stats.psi import categorical_shares, sketched_counts
from worker.stats.registry import Current, Sketched, StatTest, TestResult, register


def contingency(reference: Mapping, values: Current) -> np.ndarray:
    """The 2 x k table: reference counts, then current counts (with an unseen column)."""
    ref = np.append(np.asarray(reference["proportions"], dtype=float) * reference["n"], 0.0)
    if isinstance(values, Sketched):
        cur = sketched_counts(reference["categories"], values)
    else:
        shares, _ = categorical_shares(reference["categories"], values)
        cur = shares * len(values)
    table = np.vstack([np.round(ref), np.round(cur)])
    return table[:, table.sum(axis=0) > 0]


def chi2(reference: Mapping, values: Current) -> TestResult:
    table = contingency(reference, values)
    if table.shape[1] < 2:  # one category everywhere: nothing can differ
        return TestResult(statistic=0.0, p_value=1.0)
    result = chi2_contingency(table, correction=False)
    return TestResult(statistic=float(result.statistic), p_value=float(result.pvalue))


CHI2 = register(
    StatTest(
        "chi2",
        frozenset({"categorical", "boolean"}),
        "alpha",
        "low",
        chi2,
        floor_key="psi_floor",
        effect_is_statistic=False,
        compute_sketched=chi2,
    )
)
