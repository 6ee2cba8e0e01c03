"""Champion against challenger on the same requests: the pairs, fairness, agreement, the bootstrap."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy.stats import beta, norm
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select

from driftwatch_core.db.models import Alert, ModelEvent, VersionComparison
from worker import gate
from worker.bootstrap import _auc_parts, _weighted_auc, auc_difference
from worker.drift import evaluate_feature, prepare_reference
from worker.pairs import load_pairs

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
UNIFORM = np.linspace(0.001, 0.999, 2_000)  # a reference score distribution


def paired_scores(n: int, seed: int, separation=(1.0, 1.6), prevalence=0.3, marginals=None):
    """Labels and two versions' scores of the same rows: binormal (each version's latent score is
    ``separation * label`` plus unit noise, the two noises correlated), so a version's true
    ROC-AUC is Phi(separation / sqrt 2). ``marginals``: scipy distributions the scores are mapped
    onto by rank (ROC-AUC unchanged), else a logistic squash."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < prevalence
    shared = rng.normal(size=n)
    out = []
    for i, a in enumerate(separation):
        latent = a * y + np.sqrt(0.5) * shared + np.sqrt(0.5) * rng.normal(size=n)
        if marginals is None:
            out.append(1 / (1 + np.exp(-(latent - a / 2))))
        else:
            ranks = np.argsort(np.argsort(latent))
            out.append(marginals[i].ppf((ranks + 0.5) / n))
    return y, out[0], out[1]


def true_auc(separation: float) -> float:
    return float(norm.cdf(separation / np.sqrt(2)))


def comparisons(engine) -> list[VersionComparison]:
    with engine.connect() as conn:
        return list(conn.execute(select(VersionComparison).order_by(VersionComparison.id)))


def events(engine, kind: str | None = None) -> list[ModelEvent]:
    with engine.connect() as conn:
        stmt = select(ModelEvent).order_by(ModelEvent.id)
        return list(conn.execute(stmt.where(ModelEvent.kind == kind) if kind else stmt))


@pytest.mark.parametrize("mode", ["shadow", "canary"])
def test_pairs_are_read_by_version_whichever_answered(clean_db, staged_model, store_pairs, store_rows, mode):
    share = 0.3 if mode == "canary" else None
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM, "v3": UNIFORM}, "v1", "v2", mode, share)
    n = 300
    champion, challenger = np.arange(n) / 1000, 0.5 + np.arange(n) / 1000  # each score names its pair
    canary = [mode == "canary" and i % 3 == 0 for i in range(n)]  # the canary answers a third
    labels = [None if i % 4 == 0 else bool(i % 2) for i in range(n)]
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 200, labels=labels, challenger_answers=canary)
    # Not pairs of this champion and challenger: a former challenger's, unpaired rows, older pairs.
    store_pairs("m", "v1", "v3", champion, challenger, NOW, 200, labels=[True] * n)
    store_rows("m", "v1", [{"x": 0.5}] * 50, np.full(50, 0.9), 0.5, NOW, 100)
    store_pairs("m", "v1", "v2", champion, challenger, NOW - timedelta(minutes=40), 60, labels=[True] * n)

    with clean_db.connect() as conn:
        recent = load_pairs(conn, "m", "v1", "v2", NOW - timedelta(minutes=5), NOW)
        labelled = load_pairs(conn, "m", "v1", "v2", NOW - timedelta(minutes=30), NOW, labelled=True)
        swapped = load_pairs(conn, "m", "v2", "v1", NOW - timedelta(minutes=5), NOW)

    assert recent.n == len(recent) == n and recent.labels is None
    order = np.argsort(recent.champion_scores)
    assert np.allclose(recent.champion_scores[order], champion)
    assert np.allclose(recent.challenger_scores[order], challenger)  # each pair kept together
    assert not recent.champion_decisions.any() and recent.challenger_decisions.all()
    assert np.allclose(np.sort(swapped.champion_scores), challenger)  # sides follow the versions asked for

    expected = {i: y for i, y in enumerate(labels) if y is not None}
    assert labelled.n == len(labelled) == len(expected) == 225
    pair = np.rint(labelled.champion_scores * 1000).astype(int)
    assert [bool(y) for y in labelled.labels] == [expected[i] for i in pair]  # the answered row's label
    assert np.allclose(labelled.challenger_scores, 0.5 + pair / 1000)


def test_comparison_is_fair_and_judges_each_version_against_its_own_reference(
    monitor, clean_db, staged_model, store_pairs, caplog
):
    low, high = beta(2, 5), beta(5, 2)  # the two versions' score distributions: far apart
    rng = np.random.default_rng(1)
    references = {"v1": low.rvs(5_000, random_state=rng), "v2": high.rvs(5_000, random_state=rng)}
    staged_model(clean_db, "m", references, "v1", "v2", "canary", 0.5)  # the canary answers half
    y, champion, challenger = paired_scores(1_200, seed=2, marginals=(low, high))
    canary = [i % 2 == 1 for i in range(1_200)]
    labelled = [bool(v) if i % 3 else None for i, v in enumerate(y)]  # two thirds labelled
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 200, labels=labelled, challenger_answers=canary)
    y_old, c_old, k_old = paired_scores(400, seed=3, marginals=(low, high))
    store_pairs("m", "v1", "v2", c_old, k_old, NOW - timedelta(minutes=20), 120, labels=list(y_old))  # labels only

    with caplog.at_level(logging.INFO, logger="worker.compare"):
        result = monitor.run_cycle(NOW)["m"]

    assert result.status == "ok" and result.version == "v1"
    [row] = comparisons(clean_db)
    assert (row.champion_version, row.challenger_version, row.mode) == ("v1", "v2", "canary")
    assert row.computed_at == NOW and result.comparison.id == row.id
    d = row.details
    assert set(d) == {"window_start", "window_end", "champion", "challenger", "agreement", "auc_diff", "gate"}
    side_keys = {
        "version",
        "n_scored",
        "positive_rate",
        "score_histogram",
        "prediction_drift",
        "realized",
        "estimated",
    }
    assert set(d["champion"]) == set(d["challenger"]) == side_keys
    assert d["window_start"] == (NOW - timedelta(minutes=30)).isoformat() and d["window_end"] == NOW.isoformat()

    # The drift window's pairs: 1,200 (the older ones only count for realized performance).
    assert row.n_paired == d["champion"]["n_scored"] == d["challenger"]["n_scored"] == 1_200
    for side, scores in (("champion", champion), ("challenger", challenger)):
        hist = d[side]["score_histogram"]
        assert hist["edges"] == pytest.approx(list(np.linspace(0, 1, 11)))
        assert hist["counts"] == list(np.histogram(scores, bins=np.linspace(0, 1, 11))[0])
        assert d[side]["positive_rate"] == pytest.approx(np.mean(scores >= 0.5))
        assert set(d[side]["estimated"]) == {"roc_auc", "precision", "recall", "f1"}
    assert d["agreement"] == pytest.approx(np.mean((champion >= 0.5) == (challenger >= 0.5)))

    # Fair: realized performance of both on the very same labelled requests.
    mask = np.array([v is not None for v in labelled])
    y_all = np.concatenate([y[mask], y_old])
    champion_all, challenger_all = np.concatenate([champion[mask], c_old]), np.concatenate([challenger[mask], k_old])
    assert row.n_labelled == d["champion"]["realized"]["n_rows"] == d["challenger"]["realized"]["n_rows"] == 1_200
    assert d["champion"]["realized"]["roc_auc"] == pytest.approx(roc_auc_score(y_all, champion_all))
    assert d["challenger"]["realized"]["roc_auc"] == pytest.approx(roc_auc_score(y_all, challenger_all))
    gain = roc_auc_score(y_all, challenger_all) - roc_auc_score(y_all, champion_all)
    diff = d["auc_diff"]
    assert diff["estimate"] == pytest.approx(gain) and diff["low"] < gain < diff["high"]
    assert (diff["confidence"], diff["resamples"], diff["n"]) == (0.95, 1_000, 1_200)

    # Each version's scores against its own reference: neither drifted, though the challenger's
    # scores are far from the champion's reference.
    assert d["champion"]["prediction_drift"]["drifted"] is False
    assert d["challenger"]["prediction_drift"]["drifted"] is False
    assert d["challenger"]["prediction_drift"]["psi"] < 0.1
    other = prepare_reference({"score": monitor.targets.get(clean_db, "m", "v1").reference["score"]})["score"]
    thresholds = monitor.thresholds.for_feature("score")
    assert evaluate_feature("score", "numeric", other, challenger, thresholds).drifted  # the wrong reference

    # AUTO_PROMOTE is off: the gate holds and says so, with no event and no note.
    assert d["gate"] == {"enabled": False, "decision": "hold", "reason": gate.OFF_REASON}
    assert events(clean_db, "gate") == []
    with clean_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Alert).where(Alert.kind == gate.NOTE)).scalar_one() == 0
    assert any("v2 against v1 (canary): 1200 pairs, 1200 labelled" in r.getMessage() for r in caplog.records)


def test_a_model_without_challenger_is_not_compared(monitor, clean_db, staged_model, store_rows):
    staged_model(clean_db, "m", {"v1": UNIFORM}, champion="v1")
    store_rows("m", "v1", [{"x": 0.5}] * 300, np.linspace(0, 1, 300), 0.5, NOW, 200)
    result = monitor.run_cycle(NOW)["m"]
    assert result.status == "ok" and result.comparison is None and comparisons(clean_db) == []


def test_a_failing_comparison_leaves_the_cycle_ok(monitor, clean_db, staged_model, store_pairs, monkeypatch, caplog):
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, "v1", "v2")
    y, champion, challenger = paired_scores(300, seed=4)
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 200, labels=list(y))

    def boom(*_a, **_k):
        raise RuntimeError("comparison exploded")

    monkeypatch.setattr("worker.side_by_side.auc_difference", boom)
    with caplog.at_level(logging.ERROR, logger="worker.cycle"):
        report = monitor.run_cycle(NOW)
    assert report.ok and report["m"].status == "ok" and report["m"].comparison is None
    assert comparisons(clean_db) == []
    assert any("m: comparing the champion with its challenger failed" in r.getMessage() for r in caplog.records)


# --- the bootstrap ---------------------------------------------------------------------------


def test_weighted_auc_is_the_roc_auc_ties_included():
    y, champion, _ = paired_scores(3_000, seed=5)
    for scores in (champion, np.round(champion, 2)):  # rounded: many ties, between classes too
        parts = _auc_parts(scores, y)
        [auc] = _weighted_auc(parts, np.ones((len(y), 1), np.float32))
        assert auc == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
    weights = np.random.default_rng(6).poisson(1.0, (len(y), 3)).astype(np.float32)
    expected = [roc_auc_score(y, np.round(champion, 2), sample_weight=w) for w in weights.T]
    assert _weighted_auc(_auc_parts(np.round(champion, 2), y), weights) == pytest.approx(expected, abs=1e-9)


def test_bootstrap_interval_contains_the_true_difference_and_narrows_with_more_rows():
    separation = (1.0, 1.4)
    truth = true_auc(1.4) - true_auc(1.0)  # 0.084
    widths, covered = {}, 0
    for n in (1_500, 6_000):
        y, champion, challenger = paired_scores(n, seed=8, separation=separation)
        diff = auc_difference(champion, challenger, y)
        assert diff["low"] < truth < diff["high"], (n, diff)
        assert diff["low"] < diff["estimate"] < diff["high"]
        assert (diff["n"], diff["resamples"], diff["confidence"]) == (n, 1_000, 0.95)
        widths[n] = diff["high"] - diff["low"]
    assert widths[6_000] < 0.6 * widths[1_500]  # about half: the width goes as 1 / sqrt(n)
    for seed in range(40):  # coverage: a 95% interval misses the truth rarely
        y, champion, challenger = paired_scores(800, seed=100 + seed, separation=separation)
        diff = auc_difference(champion, challenger, y, resamples=400)
        covered += diff["low"] < truth < diff["high"]
    assert covered >= 35, covered


def test_bootstrap_is_seeded_capped_and_silent_without_both_classes():
    y, champion, challenger = paired_scores(3_000, seed=9)
    assert auc_difference(champion, challenger, y) == auc_difference(champion, challenger, y)
    capped = auc_difference(champion, challenger, y, max_rows=1_000)
    assert capped["n"] == 1_000 and capped["high"] - capped["low"] > 0
    none = auc_difference(champion, challenger, np.zeros(3_000, dtype=bool))
    assert none == {"estimate": None, "low": None, "high": None, "confidence": 0.95, "resamples": 0, "n": 3_000}
