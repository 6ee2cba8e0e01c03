"""The one-pass KS test equals SciPy's ``ks_2samp(method="asymp")``: statistic and p-value."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from worker.stats.ks import counts_at, ks, ks_from_cdfs, reference_points


def _cases():
    rng = np.random.default_rng(16)
    cases = []
    for i in range(120):
        n_ref = int(rng.choice([1, 2, 3, 7, 50, 500, 5000]))
        n_cur = int(rng.choice([1, 2, 5, 30, 400, 20_000]))
        kind = i % 4
        if kind == 0:  # continuous, maybe shifted
            ref, cur = rng.normal(0, 1, n_ref), rng.normal(rng.uniform(-0.5, 0.5), 1, n_cur)
        elif kind == 1:  # integer features: ties everywhere, values equal to reference points
            ref, cur = rng.integers(0, 24, n_ref), rng.integers(int(rng.integers(0, 6)), 24, n_cur)
        elif kind == 2:  # few distinct values, some outside the reference's range
            ref, cur = rng.choice([0.0, 1.0, 2.5], n_ref), rng.choice([-1.0, 0.0, 2.5, 9.0], n_cur)
        else:  # heavy tails, identical distributions
            ref, cur = rng.lognormal(3, 1.5, n_ref), rng.lognormal(3, 1.5, n_cur)
        cases.append((np.sort(ref.astype(float)), cur.astype(float)))
    return cases


@pytest.mark.parametrize(("sample", "values"), _cases())
def test_one_pass_ks_equals_scipy(sample, values):
    expected = ks_2samp(sample, values, method="asymp")
    got = ks({"sample": sample.tolist()}, values)  # one row each: both p-values are NaN
    assert got.statistic == pytest.approx(float(expected.statistic), abs=1e-12)
    assert got.p_value == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-300, nan_ok=True)


def test_identical_samples_give_zero_and_one():
    sample = np.arange(10.0)
    result = ks({"sample": sample}, sample)
    assert result.statistic == 0.0 and result.p_value == 1.0


def test_counts_on_and_below_each_point():
    le, lt = counts_at(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 1.0, 2.5, 3.0, 7.0]))
    assert le.tolist() == [3, 3, 5] and lt.tolist() == [1, 3, 4]


def test_cdf_form_serves_a_sketch():
    """Given the window's CDFs instead of its rows (as a sketch gives them), the same result."""
    rng = np.random.default_rng(3)
    sample, values = np.sort(rng.normal(0, 1, 300)), rng.normal(0.3, 1, 1000)
    points, ref_right, ref_left, n_ref = reference_points({"sample": sample})
    right = np.array([np.mean(values <= p) for p in points])
    left = np.array([np.mean(values < p) for p in points])
    result = ks_from_cdfs(ref_right, ref_left, right, left, n_ref, len(values))
    assert result.statistic == pytest.approx(ks_2samp(sample, values).statistic, abs=1e-12)
