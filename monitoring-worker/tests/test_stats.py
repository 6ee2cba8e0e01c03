"""Each drift statistic against a hand computation or an independent SciPy call."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from worker.stats import DEFAULT_THRESHOLDS, REGISTRY, Thresholds, get_test
from worker.stats.psi import EPSILON, histogram, numeric_bins, psi_value

NUMERIC_REF = {
    "kind": "numeric",
    "edges": [1.0, 2.0, 3.0],
    "proportions": [0.25] * 4,
    "sample": [0.5, 1.5, 2.5, 3.5] * 50,
    "n": 200,
}
CATEGORICAL_REF = {"kind": "categorical", "categories": ["a", "b", "c"], "proportions": [0.5, 0.3, 0.2], "n": 1000}


def test_psi_equals_hand_computed_example():
    # Reference 25% per bin; current 10%, 20%, 30%, 40%.
    values = np.array([0.0] * 10 + [1.0] * 20 + [2.5] * 30 + [3.0] * 40)  # 1.0 and 3.0 go up
    expected = sum((q - 0.25) * math.log(q / 0.25) for q in (0.1, 0.2, 0.3, 0.4))
    assert expected == pytest.approx(0.228, abs=1e-3)
    assert get_test("psi").compute(NUMERIC_REF, values).statistic == pytest.approx(expected, rel=1e-9)


def test_psi_of_one_empty_bin_is_bounded():
    # The first bin holds nothing now; the others share its 25%.
    current = [0.0, 1 / 3, 1 / 3, 1 / 3]
    value = psi_value([0.25] * 4, current)
    p, q = np.array([0.25] * 4), np.maximum(current, EPSILON)
    q = q / q.sum()
    assert value == pytest.approx(float(np.sum((q - p) * np.log(q / p))))
    assert math.isfinite(value) and value < 0.25 * math.log(0.25 / EPSILON) + 0.1 < 2.5
    # Whatever happens, PSI stays below 2 * ln(1 / EPSILON).
    assert psi_value([1.0, 0.0], [0.0, 1.0]) <= 2 * math.log(1 / EPSILON)


def test_psi_histogram_uses_frozen_edges_and_labels():
    hist = histogram(NUMERIC_REF, np.array([0.0, 1.0, 2.0, 9.0]))
    assert hist["bins"] == numeric_bins([1.0, 2.0, 3.0]) == ["< 1", "1 – 2", "2 – 3", "≥ 3"]
    assert hist["current"] == [0.25, 0.25, 0.25, 0.25]
    assert hist["reference"] == [0.25] * 4


def test_categorical_psi_puts_unseen_values_in_their_own_bin():
    values = np.array(["a"] * 5 + ["B"] * 3 + ["zzz"] * 2)
    hist = histogram(CATEGORICAL_REF, values)
    assert hist["bins"] == ["a", "b", "c", "(unseen)"]
    assert hist["current"] == [0.5, 0.3, 0.0, 0.2]
    assert hist["reference"] == [0.5, 0.3, 0.2, 0.0]


def test_ks_equals_scipy():
    rng = np.random.default_rng(1)
    current = rng.normal(0.3, 1.0, 700)
    ref = {"kind": "numeric", "sample": np.sort(rng.normal(0, 1, 500)).tolist()}
    expected = sps.ks_2samp(ref["sample"], current, method="asymp")
    result = get_test("ks").compute(ref, current)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert result.p_value < 1e-4


def test_chi2_equals_hand_computation_and_scipy():
    values = np.array(["a"] * 40 + ["b"] * 30 + ["c"] * 20 + ["new"] * 10)
    table = np.array([[500.0, 300.0, 200.0, 0.0], [40.0, 30.0, 20.0, 10.0]])
    expected_counts = table.sum(1, keepdims=True) * table.sum(0) / table.sum()
    statistic = float(((table - expected_counts) ** 2 / expected_counts).sum())
    p_value = float(sps.chi2.sf(statistic, df=3))
    result = get_test("chi2").compute(CATEGORICAL_REF, values)
    assert result.statistic == pytest.approx(statistic, rel=1e-9)
    assert result.p_value == pytest.approx(p_value, rel=1e-9)
    assert result.statistic == pytest.approx(sps.chi2_contingency(table, correction=False).statistic)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registered_test_declares_its_contract(name):
    test = REGISTRY[name]
    assert test.kinds <= {"numeric", "categorical", "boolean"} and test.kinds
    assert test.drift_when in ("high", "low")
    assert test.default_threshold == DEFAULT_THRESHOLDS[test.threshold_key]
    # The direction decides which side of the threshold is drift.
    above, below = test.default_threshold * 2, test.default_threshold / 2
    assert test.exceeds(above, test.default_threshold) is (test.drift_when == "high")
    assert test.exceeds(below, test.default_threshold) is (test.drift_when == "low")


def test_thresholds_override_globally_and_per_feature():
    t = Thresholds({"*": {"alpha": 0.001}, "amount": {"psi": 0.2, "ks_floor": 0.1}}, features={"amount", "hour_of_day"})
    assert t.for_feature("amount")["psi_moderate"] == 0.2
    assert t.for_feature("amount")["ks_floor"] == 0.1
    assert t.for_feature("amount")["alpha"] == 0.001
    assert t.for_feature("hour_of_day")["psi_moderate"] == DEFAULT_THRESHOLDS["psi_moderate"]


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"nope": {"psi": 0.2}}, "unknown feature 'nope'"),
        ({"amount": {"bogus": 1}}, "unknown threshold 'bogus'"),
    ],
)
def test_thresholds_refuse_unknown_names(bad, match):
    with pytest.raises(ValueError, match=match):
        Thresholds(bad, features={"amount"})
