"""Concept drift right after a traffic switch, with default settings, against PostgreSQL.

Twenty minutes of normal labelled traffic, then the simulator switches to concept
drift (a ``scenario`` event, as the backend records it): realized performance is
judged on post-switch predictions only, so it falls below WORKER_MIN_ROC_AUC and
the performance alert opens as soon as WORKER_MIN_LABELS labels have arrived,
although the 30-minute label window still holds thousands of easy pre-switch labels.

Traffic as the simulator sends it by default: 10 req/s, 80% of predictions
labelled 60 s later; a label exists only once its prediction is a minute old.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from driftwatch_core.db.models import Alert, ModelEvent, PerformanceResult
from driftwatch_core.features import FEATURES, SCORE_NAME
from driftwatch_core.generator import NO_DRIFT, Drift, TransactionGenerator
from driftwatch_testing import DEMO_MODEL
from worker.cycle import CycleResult, Monitor
from worker.performance import Costs, realized
from worker.window import Scope, load_labelled

SWITCH = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
RPS, LABEL_SHARE, LAG_S = 10, 0.8, 60.0
CONCEPT = Drift(concept=0.8)  # the concept scenario's default magnitude


@pytest.fixture
def defaults(database_url, clean_db) -> Monitor:
    """A monitor with every judging setting at its default (WORKER_MIN_LABELS 100 among them)."""
    from worker.config import WorkerSettings

    settings = WorkerSettings(database_url=database_url)
    assert (settings.label_window_minutes, settings.min_labels, settings.min_roc_auc) == (30.0, 100, 0.8)
    return Monitor(settings, clean_db)


def traffic(store, seed: int, start: datetime, end: datetime, now: datetime, drift: Drift = NO_DRIFT) -> int:
    """Predictions at RPS over [start, end), stored a minute at a time, 80% of each minute
    labelled; only those a minute old by ``now`` have their label yet. Returns the labels stored."""
    gen = TransactionGenerator(seed=seed)
    labelled_until = min(end, now - timedelta(seconds=LAG_S))
    labels = 0
    while start < end:
        stop = min(start + timedelta(seconds=60), labelled_until if start < labelled_until else end)
        seconds = (stop - start).total_seconds()
        batch = gen.sample(int(seconds * RPS), drift)
        share = LABEL_SHARE if stop <= labelled_until else 0.0
        store(batch, stop, seconds, label_share=share, lag_s=LAG_S)
        labels += int(len(batch) * share)
        start = stop
    return labels


def switch(engine, at: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(ModelEvent).values(
                created_at=at,
                model_name=DEMO_MODEL,
                kind="scenario",
                actor="admin:test",
                message="Traffic: Concept drift",
                details={"scenario": "concept", "label": "Concept drift", "params": {"magnitude": 0.8}},
            )
        )


def cycle(monitor: Monitor, at: datetime) -> CycleResult:
    result = monitor.run_cycle(at)[DEMO_MODEL]
    assert result is not None and result.status == "ok", result
    return result


def stored_realized(engine, run_id: int) -> PerformanceResult:
    with engine.connect() as conn:
        return conn.execute(
            select(PerformanceResult).where(PerformanceResult.run_id == run_id, PerformanceResult.kind == "realized")
        ).one()


def performance_alerts(engine) -> list[Alert]:
    with engine.connect() as conn:
        return list(conn.execute(select(Alert).where(Alert.kind == "performance")).all())


def test_concept_drift_after_a_switch_is_judged_on_post_switch_labels_and_alerts(defaults, store, clean_db):
    now = SWITCH + timedelta(seconds=150)
    before = traffic(store, 1, SWITCH - timedelta(minutes=20), SWITCH, now)
    switch(clean_db, SWITCH)
    after = traffic(store, 2, SWITCH, now, now, CONCEPT)
    assert before > 9_000 and after == 720  # 90 s of labelled post-switch predictions at 8 labels a second

    # The whole label window would hide the drift: the old labels outnumber the new 13 to 1.
    scope = Scope(DEMO_MODEL, store.version, {f.name: f.kind for f in FEATURES}, SCORE_NAME)
    with clean_db.connect() as conn:
        whole = load_labelled(conn, scope, now - timedelta(minutes=30), now)
    polluted = realized(whole.scores, whole.decisions, whole.labels, whole.lags_s, whole.n_predictions, Costs())
    assert polluted["n_rows"] == before + after and polluted["roc_auc"] > 0.85

    result = cycle(defaults, now)
    assert result.realized["n_rows"] == after and result.realized["window_reason"] == "since_switch"
    assert result.realized["roc_auc"] < 0.7  # concept drift at 0.8 gives ~0.47 on many labels
    assert result.realized["label_coverage"] == pytest.approx(after / 1_500)  # 150 s of predictions at 10 req/s
    row = stored_realized(clean_db, result.run_id)
    assert row.window_start == SWITCH and row.window_end == now and row.metrics["window_reason"] == "since_switch"
    [alert] = performance_alerts(clean_db)
    assert (alert.status, alert.feature, alert.threshold) == ("open", "roc_auc", 0.8)
    assert alert.value == result.realized["roc_auc"]
    assert not result.dataset.drifted  # the inputs look alike: only the labels tell


def test_too_few_labels_since_the_switch_are_shown_but_judge_nothing(defaults, store, clean_db):
    traffic(store, 3, SWITCH - timedelta(minutes=20), SWITCH, SWITCH)
    switch(clean_db, SWITCH)
    # 20 s after the switch, before any of its labels: a realized row saying so (0 labels).
    early_at = SWITCH + timedelta(seconds=20)
    assert traffic(store, 4, SWITCH, early_at, early_at, CONCEPT) == 0
    early = cycle(defaults, early_at)
    assert early.realized["n_rows"] == 0 and early.realized["roc_auc"] is None
    assert early.realized["window_reason"] == "since_switch"
    assert stored_realized(clean_db, early.run_id).window_start == SWITCH

    # 86 s after it, predictions of 6 s (from 20 s to 26 s) have their labels: 48, below WORKER_MIN_LABELS.
    now = SWITCH + timedelta(seconds=86)
    labels = traffic(store, 5, early_at, now, now, CONCEPT)
    assert labels == 48
    result = cycle(defaults, now)
    assert result.realized["n_rows"] == labels < defaults.settings.min_labels
    assert stored_realized(clean_db, result.run_id).window_start == SWITCH
    assert performance_alerts(clean_db) == []  # however low a ROC-AUC of 48 labels reads


def test_without_a_switch_the_label_window_is_the_last_30_minutes(defaults, store, clean_db):
    now = SWITCH
    labels = traffic(store, 6, now - timedelta(minutes=40), now, now)
    result = cycle(defaults, now)
    assert result.realized["window_reason"] == "label_window"
    assert result.realized["n_rows"] == pytest.approx(labels * 29 / 39, rel=0.01)  # those of the last 30 min
    assert stored_realized(clean_db, result.run_id).window_start == now - timedelta(minutes=30)
    assert result.realized["roc_auc"] > 0.85 and performance_alerts(clean_db) == []


def test_a_quality_judgement_needs_enough_labels_and_enough_frauds_among_them(defaults):
    """Right after a switch the first hundred labels hold three to seven frauds; a ROC-AUC from
    three of them swings below 0.8 by chance alone, so it is shown but raises nothing."""
    assert defaults.settings.min_positive_labels == 5
    enough = {"roc_auc": 0.55, "n_rows": 300, "n_positive": 5}
    assert defaults.judges_quality(enough)
    assert not defaults.judges_quality({**enough, "n_positive": 4})
    assert not defaults.judges_quality({**enough, "n_rows": 99})
    assert not defaults.judges_quality({**enough, "roc_auc": None})


def test_realized_metrics_count_the_frauds_they_were_judged_on():
    import numpy as np

    labels = np.array([True, False, False, True, False])
    metrics = realized(np.linspace(0.1, 0.9, 5), labels, labels, np.zeros(5), 5, Costs())
    assert (metrics["n_rows"], metrics["n_positive"]) == (5, 2)
