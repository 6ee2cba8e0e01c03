"""Whole cycles against PostgreSQL: results stored, alerts opened once and resolved."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import func, select

from driftwatch_core.db.models import Alert, DriftResult, MonitoringRun, PerformanceResult
from driftwatch_core.features import FEATURE_NAMES, SCORE_NAME
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import DEMO_MODEL
from worker.cycle import CycleResult, Monitor
from worker.store import slot_of

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def fraud_cycle(monitor: Monitor, at: datetime) -> CycleResult:
    """One cycle; the built-in model's result (the only model these tests register)."""
    report = monitor.run_cycle(at)
    assert list(report.results) == [DEMO_MODEL]
    result = report[DEMO_MODEL]
    assert result is not None
    return result


def count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def alerts(engine) -> list[Alert]:
    with engine.connect() as conn:
        return list(conn.execute(select(Alert).order_by(Alert.id)).all())


def test_cycle_on_normal_traffic_stores_every_result_and_raises_nothing(monitor, store, clean_db):
    store(TransactionGenerator(seed=5).sample(3_000), NOW, 290, label_share=0.8)
    result = fraud_cycle(monitor, NOW)
    assert result.status == "ok" and result.n_rows == 3_000
    assert result.dataset.drifted is False and not any(r.drifted for r in result.drift)
    with clean_db.connect() as conn:
        run = conn.execute(select(MonitoringRun)).one()
        rows = conn.execute(select(DriftResult).order_by(DriftResult.id)).all()
        perf = {p.kind: p for p in conn.execute(select(PerformanceResult)).all()}
    assert run.finished_at is not None and run.slot == slot_of(NOW, 30)
    assert run.details["thresholds"]["psi_significant"] == 0.25 and "50%" in run.details["rule"]
    assert [r.feature for r in rows] == [*FEATURE_NAMES, SCORE_NAME]
    assert all(r.window_end == NOW and r.n_current == 3_000 and r.details["histogram"]["bins"] for r in rows)
    assert perf["realized"].n_rows == 2_400
    assert perf["realized"].metrics["label_coverage"] == 0.8
    assert perf["realized"].metrics["label_lag_s"] == 60.0
    assert perf["estimated"].n_rows == 3_000 and perf["estimated"].metrics["roc_auc"] > 0.8
    assert alerts(clean_db) == []


def test_drift_alerts_open_once_and_resolve_after_three_clear_cycles(monitor, store, clean_db, strong_drift):
    gen = TransactionGenerator(seed=6)
    store(gen.sample(2_000), NOW, 290)
    store(gen.sample(1_000, strong_drift), NOW, 90)
    first = fraud_cycle(monitor, NOW)
    assert first.dataset.drifted and first.score.drifted
    opened = alerts(clean_db)
    kinds = {(a.kind, a.feature) for a in opened}
    assert ("dataset_drift", "") in kinds and ("prediction_drift", SCORE_NAME) in kinds
    assert ("feature_drift", "amount") in kinds
    assert any(a.severity == "critical" for a in opened if a.kind == "feature_drift")
    # Each alert shows the value that raised it beside its threshold.
    assert all(a.threshold is not None and a.value >= a.threshold for a in opened), [
        (a.kind, a.feature, a.value, a.threshold) for a in opened
    ]
    assert {e.action for e in first.events} == {"opened"} and len(first.events) == len(opened)
    # The same condition next cycle updates the alerts, it does not add any.
    assert fraud_cycle(monitor, NOW + timedelta(seconds=30)).events == []
    assert len(alerts(clean_db)) == len(opened)
    # Traffic back to normal: two clear cycles keep the alerts, the third resolves them.
    later = NOW + timedelta(minutes=20)
    store(gen.sample(3_000), later + timedelta(minutes=2), 400)
    for i in range(3):
        fraud_cycle(monitor, later + timedelta(seconds=30 * i))
        statuses = {a.status for a in alerts(clean_db)}
        assert statuses == ({"open"} if i < 2 else {"resolved"}), (i, statuses)
    assert count(clean_db, Alert, Alert.status != "resolved") == 0


def test_too_few_rows_is_insufficient_data_and_judges_no_drift(monitor, store, clean_db):
    store(TransactionGenerator(seed=8).sample(150), NOW, 100)
    result = fraud_cycle(monitor, NOW)
    assert result.status == "insufficient_data" and result.dataset is None
    assert count(clean_db, DriftResult) == 0 and alerts(clean_db) == []
    assert count(clean_db, PerformanceResult, PerformanceResult.kind == "estimated") == 1


def test_traffic_that_stops_raises_a_no_traffic_alert(monitor, clean_db, store):
    assert fraud_cycle(monitor, NOW - timedelta(hours=1)).n_rows == 0
    assert alerts(clean_db) == []  # a fresh database: nothing has stopped
    store(TransactionGenerator(seed=15).sample(300), NOW - timedelta(minutes=20), 60)
    result = fraud_cycle(monitor, NOW)
    assert result.status == "insufficient_data" and result.n_rows == 0
    [alert] = alerts(clean_db)
    assert (alert.kind, alert.severity, alert.status) == ("no_traffic", "warning", "open")


def test_a_failing_cycle_is_recorded_as_failed_and_raises_a_critical_alert(monitor, store, clean_db, monkeypatch):
    store(TransactionGenerator(seed=9).sample(300), NOW, 100)

    def boom(*_a, **_k):
        raise RuntimeError("statistics exploded\nsecond line")

    monkeypatch.setattr("worker.measure.evaluate_all", boom)
    report = monitor.run_cycle(NOW)  # the error stays in the model's result: the cycle goes on
    assert report.failed == [DEMO_MODEL] and not report.ok
    assert report[DEMO_MODEL].error == "RuntimeError: statistics exploded"
    with clean_db.connect() as conn:
        run = conn.execute(select(MonitoringRun)).one()
    assert run.status == "failed" and "statistics exploded" in run.error and "Traceback" in run.error
    assert run.model_version == store.version and run.finished_at is not None
    [alert] = alerts(clean_db)
    assert (alert.model_name, alert.kind, alert.feature, alert.severity) == (
        DEMO_MODEL,
        "monitoring_failed",
        "",
        "critical",
    )
    assert alert.message == "Monitoring of model fraud failed: RuntimeError: statistics exploded"
    assert [e.action for e in report[DEMO_MODEL].events] == ["opened"]


def test_results_alerts_and_incidents_are_stored_together_or_not_at_all(monitor, store, clean_db, monkeypatch):
    """The three steps after measuring (store results, raise alerts, group incidents) share one
    transaction: when grouping fails, neither the results nor the alerts of the cycle stay."""
    from driftwatch_core.generator import Drift

    store(TransactionGenerator(seed=11).sample(600, Drift(scale={"amount": 3.0})), NOW, 200)

    def boom(*_a, **_k):
        raise RuntimeError("grouping exploded")

    monkeypatch.setattr("worker.incidents.update", boom)
    result = fraud_cycle(monitor, NOW)
    assert result.status == "failed" and result.error == "RuntimeError: grouping exploded"
    assert count(clean_db, DriftResult) == 0 and count(clean_db, PerformanceResult) == 0
    assert alerts(clean_db) == [] and result.events == []  # the failure alert could not be grouped either
    with clean_db.connect() as conn:
        run = conn.execute(select(MonitoringRun)).one()
    assert run.status == "failed" and "grouping exploded" in run.error


def test_two_workers_compute_each_slot_once(settings, store, clean_db, strong_drift):
    store(TransactionGenerator(seed=10).sample(1_000, strong_drift), NOW, 200)
    workers = [Monitor(settings, clean_db) for _ in range(2)]
    results: list = []
    barrier = threading.Barrier(2)

    def run(worker: Monitor, at: datetime) -> None:
        barrier.wait()
        results.append(worker.run_cycle(at))

    for offset in (0, 30, 60):  # three slots, both workers racing for each
        at = NOW + timedelta(seconds=offset)
        threads = [
            threading.Thread(target=run, args=(w, at + timedelta(seconds=0.001 * i))) for i, w in enumerate(workers)
        ]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert sum(r[DEMO_MODEL] is not None for r in results) == 3
    assert count(clean_db, MonitoringRun) == 3
    with clean_db.connect() as conn:
        dupes = conn.execute(
            select(DriftResult.run_id, DriftResult.feature, func.count())
            .group_by(DriftResult.run_id, DriftResult.feature)
            .having(func.count() > 1)
        ).all()
        open_per_key = conn.execute(
            select(Alert.kind, Alert.feature, func.count())
            .where(Alert.status != "resolved")
            .group_by(Alert.kind, Alert.feature)
            .having(func.count() > 1)
        ).all()
    assert dupes == [] and open_per_key == []
    assert count(clean_db, DriftResult) == 3 * (len(FEATURE_NAMES) + 1)


def test_concept_drift_raises_a_performance_alert_from_labels(monitor, store, clean_db):
    from driftwatch_core.generator import Drift

    store(TransactionGenerator(seed=14).sample(2_000, Drift(concept=1.0)), NOW, 280, label_share=1.0)
    result = fraud_cycle(monitor, NOW)
    assert result.realized["roc_auc"] < monitor.settings.min_roc_auc
    assert result.dataset.drifted is False  # the inputs look alike: only labels tell
    [alert] = [a for a in alerts(clean_db) if a.kind == "performance"]
    assert (alert.feature, alert.severity, alert.threshold) == ("roc_auc", "critical", 0.8)
    assert alert.value == result.realized["roc_auc"]


def test_a_per_feature_threshold_holds_for_that_feature_of_any_model_and_an_unknown_name_is_logged_once(
    settings, clean_db, staged_model, store_rows, caplog
):
    staged_model(clean_db, "m", {"v1": np.linspace(0, 1, 100)}, champion="v1")
    store_rows("m", "v1", [{"x": (i % 100) / 100} for i in range(300)], np.linspace(0, 1, 300), 0.5, NOW, 200)
    tuned = settings.model_copy(update={"thresholds": {"x": {"ks_floor": 0.9}, "colour": {"psi": 0.2}}})
    monitor = Monitor(tuned, clean_db)
    with caplog.at_level(logging.WARNING, logger="worker.cycle"):
        result = monitor.run_cycle(NOW)["m"]
        monitor.run_cycle(NOW + timedelta(seconds=30))
    assert result is not None and result.status == "ok"
    [x] = result.drift
    assert x.thresholds["ks_floor"] == 0.9 and result.score.thresholds["ks_floor"] == 0.05
    warnings = [r.getMessage() for r in caplog.records if "WORKER_THRESHOLDS" in r.getMessage()]
    assert warnings == [
        "WORKER_THRESHOLDS: no monitored model has a feature named 'colour' (features: score, x); use '*' for all"
    ]


def test_models_are_monitored_in_name_order_the_demo_one_among_them(settings, demo_model, clean_db, staged_model):
    from sqlalchemy import update

    from driftwatch_core.db.models import RegisteredModel

    for name in ("zeta", "alpha"):
        staged_model(clean_db, name, {f"{name}-v1": np.linspace(0, 1, 100)}, champion=f"{name}-v1")
    with clean_db.begin() as conn:  # staged_model retires the demo model: back among them
        conn.execute(update(RegisteredModel).where(RegisteredModel.name == DEMO_MODEL).values(active=True))
    report = Monitor(settings, clean_db).run_cycle(NOW)
    assert list(report.results) == ["alpha", DEMO_MODEL, "zeta"] and report.ok
