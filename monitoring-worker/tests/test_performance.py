"""Realized metrics against scikit-learn, and estimated against realized."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score

from driftwatch_core.generator import Drift, TransactionGenerator
from worker.performance import Costs, estimated, estimated_auc, estimated_auc_band, realized

#: Estimated within this of realized, on 20,000 undrifted predictions.
TOLERANCE = {"roc_auc": 0.03, "pr_auc": 0.08, "precision": 0.08, "recall": 0.08, "f1": 0.08, "accuracy": 0.01}


def test_realized_matches_scikit_learn_and_counts_costs():
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0])
    s = np.array([0.9, 0.2, 0.4, 0.7, 0.1, 0.8, 0.3, 0.05])
    d = s >= 0.5
    m = realized(s, d, y, np.array([10.0, 20.0, 30.0]), n_predictions=16, costs=Costs())
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["precision"] == pytest.approx(precision_score(y, d))
    assert m["recall"] == pytest.approx(recall_score(y, d))
    assert m["f1"] == pytest.approx(f1_score(y, d))
    assert (m["false_positives"], m["false_negatives"]) == (1, 1)
    assert m["cost_total"] == 50 + 500
    assert m["label_coverage"] == 0.5 and m["label_lag_s"] == 20.0


def test_realized_leaves_auc_undefined_with_one_class():
    m = realized(np.array([0.1, 0.2]), np.array([False, False]), np.array([0, 0]), np.array([]), 2, Costs())
    assert m["roc_auc"] is None and m["precision"] is None and m["label_lag_s"] is None


def test_estimated_auc_of_perfectly_calibrated_scores_equals_expected_auc():
    # Two score values: 0.9 (90% positive) and 0.1 (10% positive), 50 each.
    scores = np.array([0.9] * 50 + [0.1] * 50)
    roc, _ = estimated_auc(scores)
    # P(score_pos > score_neg) + 0.5 P(tie), computed by hand.
    pos_hi, pos_lo, neg_hi, neg_lo = 45, 5, 5, 45
    expected = (pos_hi * neg_lo + 0.5 * (pos_hi * neg_hi + pos_lo * neg_lo)) / (50 * 50)
    assert roc == pytest.approx(expected, abs=0.02)


def test_estimated_performance_is_within_tolerance_of_realized(scorer):
    batch = TransactionGenerator(seed=77).sample(20_000)
    scores, decisions = scorer(batch.columns)
    real = realized(scores, decisions, batch.labels, np.array([1.0]), len(scores), Costs())
    est = estimated(scores, decisions, Costs())
    for key, tol in TOLERANCE.items():
        assert est[key] == pytest.approx(real[key], abs=tol), (key, est[key], real[key])


def test_the_estimated_band_holds_about_90_percent_of_calibrated_label_draws():
    rng = np.random.default_rng(5)
    scores = rng.beta(0.4, 10, 3_000)  # a fraud model's scores: mostly low, ~4% positive
    low, high = estimated_auc_band(scores)
    roc, _ = estimated_auc(scores)
    assert low < roc < high and 0.01 < high - low < 0.15
    assert estimated_auc_band(scores) == (low, high)  # fixed seed: a window always gives the same band
    # Labels that follow the scores (the model still works): their ROC-AUC lands in the band ~90% of the time.
    inside = [low <= roc_auc_score(rng.random(3_000) < scores, scores) <= high for _ in range(300)]
    assert 0.8 <= np.mean(inside) <= 0.97, np.mean(inside)


def test_the_band_is_undefined_for_scores_without_positives_and_wide_for_few_rows():
    assert estimated_auc_band(np.zeros(500)) == (None, None)
    assert estimated_auc_band(np.array([])) == (None, None)
    rng = np.random.default_rng(6)
    few, many = rng.beta(0.4, 10, 300), rng.beta(0.4, 10, 30_000)
    (lo_few, hi_few), (lo_many, hi_many) = estimated_auc_band(few), estimated_auc_band(many)
    assert hi_few - lo_few > 2 * (hi_many - lo_many)


def test_concept_drifted_labels_fall_below_the_estimated_band(scorer):
    """Under the concept scenario's default magnitude the scores still look confident, the labels disagree."""
    batch = TransactionGenerator(seed=78).sample(3_000, Drift(concept=0.8))
    scores, decisions = scorer(batch.columns)
    est = estimated(scores, decisions, Costs())
    real = realized(scores, decisions, batch.labels, np.array([60.0]), len(scores), Costs())
    assert est["roc_auc_low"] < est["roc_auc"] < est["roc_auc_high"]
    assert real["roc_auc"] < 0.7 < est["roc_auc_low"]
