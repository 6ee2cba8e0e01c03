"""Every registered model monitored at once, each against its own version's reference.

The registered model is real: scikit-learn's bundled breast-cancer data (569
tumours, 30 numeric measurements) with a logistic regression exported through
skl2onnx, registered through the backend's own ``app.registry.service``
(``prepare`` computes its reference, ``save`` stores it). Its live traffic is
the other half of the data, scored by the model, stored as the backend stores
it; the built-in fraud model runs beside it with normal traffic.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from driftwatch_core.db.models import (
    DEFAULT_MODEL,
    Alert,
    DriftResult,
    ModelVersion,
    MonitoringRun,
    PerformanceResult,
    RegisteredModel,
)
from driftwatch_core.features import FEATURE_NAMES, SCORE_NAME
from driftwatch_core.generator import TransactionGenerator
from worker.cycle import Monitor
from worker.targets import BrokenReference, build_target

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
SHIFTED = ("mean radius", "mean texture")


@pytest.fixture(scope="module")
def cancer():
    """Reference half (with "target"), live half (features only, with its labels), the fitted
    model and its ONNX export."""
    from skl2onnx import to_onnx
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = load_breast_cancer(as_frame=True).frame
    reference = frame.sample(frac=0.5, random_state=0)
    live = frame.drop(reference.index)
    X = reference.drop(columns="target").to_numpy(np.float32)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, reference["target"])
    onnx = to_onnx(model, X[:1], options={"zipmap": False}).SerializeToString()
    return reference, live, model, onnx


@pytest.fixture
def register(clean_db, cancer):
    """Register a version of "cancer" through the backend's registry; returns its version id."""
    from app.registry import service

    reference, _live, _model, onnx = cancer

    def _register(at: datetime = NOW, threshold: float = 0.5) -> str:
        upload = service.Upload(
            name="cancer",
            artifact=onnx,
            reference=reference.to_csv(index=False).encode(),
            reference_filename="reference.csv",
            label="target",
            threshold=threshold,
        )
        prepared = service.prepare(upload, now=at)
        with Session(clean_db) as session, session.begin():
            return service.save(session, prepared).version

    return _register


@pytest.fixture
def send(store_rows, cancer):
    """``send(version, end, shift=False, labelled=True)``: the live half scored by the model and
    stored as ``version``'s traffic over the 240 s before ``end``; with ``shift`` two features
    are shifted (radius x1.5, texture +10) and scored as shifted. Returns the row count."""
    _reference, live, model, _onnx = cancer

    def _send(version: str, end: datetime, shift: bool = False, labelled: bool = True) -> int:
        rows = live.drop(columns="target").copy()
        if shift:
            rows["mean radius"] *= 1.5
            rows["mean texture"] += 10.0
        scores = model.predict_proba(rows.to_numpy(np.float32))[:, 1]
        labels = live["target"].astype(bool).tolist() if labelled else None
        store_rows("cancer", version, rows.to_dict("records"), scores, 0.5, end, 240, labels)
        return len(rows)

    return _send


def runs(engine) -> dict[str, MonitoringRun]:
    with engine.connect() as conn:
        return {r.model_name: r for r in conn.execute(select(MonitoringRun).order_by(MonitoringRun.id))}


def drift_rows(engine, run_id: int) -> list[DriftResult]:
    with engine.connect() as conn:
        return list(conn.execute(select(DriftResult).where(DriftResult.run_id == run_id).order_by(DriftResult.id)))


def open_alerts(engine) -> list[Alert]:
    with engine.connect() as conn:
        return list(conn.execute(select(Alert).where(Alert.status != "resolved").order_by(Alert.id)))


def test_two_models_are_judged_each_against_its_own_reference(monitor, store, register, send, cancer, clean_db):
    store(TransactionGenerator(seed=41).sample(1_000), NOW, 290, label_share=0.5)
    version = register()
    n_cancer = send(version, NOW, shift=True)

    report = monitor.run_cycle(NOW)

    assert list(report.results) == ["cancer", DEFAULT_MODEL] and report.ok  # in name order
    fraud, registered = report[DEFAULT_MODEL], report["cancer"]
    assert (fraud.status, fraud.n_rows, fraud.version) == ("ok", 1_000, store.version)
    assert not fraud.dataset.drifted and [r.feature for r in fraud.drift if r.drifted] == []
    assert (registered.status, registered.n_rows, registered.version) == ("ok", n_cancer, version)
    assert sorted(r.feature for r in registered.drift if r.drifted) == sorted(SHIFTED)
    assert registered.score.feature == "score" and not registered.dataset.drifted  # 2 of 30 features

    stored = runs(clean_db)
    assert stored[DEFAULT_MODEL].id == fraud.run_id and stored["cancer"].id == registered.run_id
    assert (stored[DEFAULT_MODEL].model_version, stored["cancer"].model_version) == (store.version, version)
    assert stored["cancer"].n_rows == n_cancer and stored["cancer"].dataset_drift is False
    assert [r.feature for r in drift_rows(clean_db, fraud.run_id)] == [*FEATURE_NAMES, SCORE_NAME]
    cancer_rows = drift_rows(clean_db, registered.run_id)
    reference, *_ = cancer
    assert [r.feature for r in cancer_rows] == [*reference.columns.drop("target"), "score"]
    assert {r.feature for r in cancer_rows if r.drifted} - {"score"} == set(SHIFTED)  # the score may move too
    assert all(r.n_current == n_cancer for r in cancer_rows)
    with clean_db.connect() as conn:
        realized = dict(
            conn.execute(
                select(PerformanceResult.run_id, PerformanceResult.n_rows).where(PerformanceResult.kind == "realized")
            ).all()
        )
    assert realized == {fraud.run_id: 500, registered.run_id: n_cancer}  # each its own labels

    opened = open_alerts(clean_db)
    assert {a.model_name for a in opened} == {"cancer"}  # the fraud model raised nothing
    drifted = {a.feature: a for a in opened if a.kind == "feature_drift"}
    assert sorted(drifted) == sorted(SHIFTED)
    assert drifted["mean radius"].message.startswith("Mean radius shifted ")  # read beside its model


def test_alerts_are_scoped_by_model(clean_db):
    from worker.alerts import Condition, apply

    with Session(clean_db) as session, session.begin():
        condition = Condition("feature_drift", "amount", "warning", "Amount (USD) shifted moderately: PSI 0.12")
        apply(session, "cancer", [condition], {"feature_drift"}, 3, NOW)  # another model's open alert
    with Session(clean_db) as session, session.begin():
        condition = Condition("feature_drift", "amount", "critical", "Amount (USD) shifted strongly: PSI 0.40")
        [event] = apply(session, DEFAULT_MODEL, [condition], {"feature_drift"}, 3, NOW)
    assert (event.action, event.text) == ("opened", "[critical] Amount (USD) shifted strongly: PSI 0.40")
    by_model = {a.model_name: a for a in open_alerts(clean_db)}
    assert by_model[DEFAULT_MODEL].message == "Amount (USD) shifted strongly: PSI 0.40"
    assert by_model["cancer"].severity == "warning"  # untouched by the fraud model's alert


def test_a_new_version_is_judged_only_on_its_own_predictions(monitor, register, send, clean_db):
    old = register(NOW - timedelta(days=1))
    send(old, NOW - timedelta(seconds=5), shift=True)  # old version, shifted
    new = register(NOW)
    assert new != old
    n_new = send(new, NOW, labelled=False)

    result = monitor.run_cycle(NOW)["cancer"]

    assert (result.version, result.n_rows, result.status) == (new, n_new, "ok")
    assert [r.feature for r in result.drift if r.drifted] == []  # the shifted rows were the old version's
    assert result.realized is None  # the labelled rows too
    assert runs(clean_db)["cancer"].model_version == new
    assert [a for a in open_alerts(clean_db) if a.kind != "no_traffic"] == []


def test_a_broken_model_fails_alone_and_its_alert_resolves_once_it_works(settings, store, register, send, clean_db):
    store(TransactionGenerator(seed=43).sample(600), NOW, 250)
    version = register()
    send(version, NOW)  # cycles up to NOW + 2 min still see 3/4 of it
    with clean_db.connect() as conn:
        good = conn.execute(select(ModelVersion.reference).where(ModelVersion.version == version)).scalar_one()
    corrupt = {**good, "features": {**good["features"], "mean radius": {"kind": "numeric", "edges": "oops"}}}
    with clean_db.begin() as conn:
        conn.execute(update(ModelVersion).where(ModelVersion.version == version).values(reference=corrupt))
    monitor = Monitor(settings, clean_db)

    report = monitor.run_cycle(NOW)

    assert report.failed == ["cancer"] and report[DEFAULT_MODEL].status == "ok"
    assert "the reference of 'mean radius' is unusable" in report["cancer"].error
    stored = runs(clean_db)
    assert stored[DEFAULT_MODEL].status == "ok"
    assert stored["cancer"].status == "failed" and "BrokenReference" in stored["cancer"].error
    assert stored["cancer"].model_version == version
    [alert] = open_alerts(clean_db)
    assert (alert.model_name, alert.kind, alert.severity) == ("cancer", "monitoring_failed", "critical")
    assert alert.message.startswith(f"Monitoring of model cancer failed: BrokenReference: version {version}: ")

    assert monitor.run_cycle(NOW + timedelta(seconds=30)).failed == ["cancer"]  # held, not reopened
    [still] = open_alerts(clean_db)
    assert still.id == alert.id and still.clear_cycles == 0

    with clean_db.begin() as conn:
        conn.execute(update(ModelVersion).where(ModelVersion.version == version).values(reference=good))
    for i in range(1, settings.resolve_after + 1):
        report = monitor.run_cycle(NOW + timedelta(seconds=30 * (i + 1)))
        assert report.ok and report["cancer"].status == "ok"
        with clean_db.connect() as conn:
            status = conn.execute(select(Alert.status).where(Alert.id == alert.id)).scalar_one()
        assert status == ("resolved" if i == settings.resolve_after else "open"), i
    assert [e.action for e in report["cancer"].events] == ["resolved"]


def test_a_retired_model_is_not_monitored_and_references_are_prepared_once(monitor, store, register, caplog):
    store(TransactionGenerator(seed=44).sample(300), NOW, 200)
    version = register()
    with caplog.at_level(logging.INFO, logger="worker.targets"):
        for i in range(3):
            assert list(monitor.run_cycle(NOW + timedelta(seconds=30 * i)).results) == ["cancer", DEFAULT_MODEL]
    loads = [r.getMessage() for r in caplog.records if "loaded the reference" in r.getMessage()]
    assert loads == [
        f"model cancer: loaded the reference of version {version} (database)",
        f"model fraud: loaded the reference of version {store.version} (MODEL_DIR)",
    ]
    with monitor.engine.begin() as conn:
        conn.execute(update(RegisteredModel).where(RegisteredModel.name == "cancer").values(active=False))
    assert list(monitor.run_cycle(NOW + timedelta(minutes=2)).results) == [DEFAULT_MODEL]


def test_the_fraud_model_is_judged_at_its_champion_from_its_registered_reference(
    settings, store, clean_db, model_dir, tmp_path
):
    from app.registry.service import register_trained
    from driftwatch_core import artifacts, stages

    store(TransactionGenerator(seed=45).sample(400), NOW, 200)
    with Session(clean_db) as session, session.begin():
        registered = register_trained(session, artifacts.resolve(model_dir))  # fills in the reference
        newer = ModelVersion(
            version="newer-than-served",
            model_name=DEFAULT_MODEL,
            trained_at=NOW,
            threshold=0.5,
            metrics={},
            feature_schema=registered.feature_schema,
            registered_at=registered.registered_at + timedelta(minutes=1),
            reference=registered.reference,
        )
        session.add(newer)
    no_files = settings.model_copy(update={"model_dir": tmp_path / "empty"})  # the database is enough

    # The champion is judged, not the newest version, nor the one MODEL_VERSION pins.
    pinned = no_files.model_copy(update={"model_version": "newer-than-served"})
    result = Monitor(pinned, clean_db).run_cycle(NOW)[DEFAULT_MODEL]
    assert (result.status, result.version, result.n_rows) == ("ok", store.version, 400)
    assert result.score.feature == SCORE_NAME

    with Session(clean_db) as session, session.begin():
        stages.promote(session, DEFAULT_MODEL, "newer-than-served", actor="test")
    promoted = Monitor(no_files, clean_db).run_cycle(NOW + timedelta(seconds=30))[DEFAULT_MODEL]
    assert (promoted.status, promoted.version, promoted.n_rows) == ("insufficient_data", "newer-than-served", 0)


def test_models_without_a_champion_are_judged_as_before_stages(clean_db, settings, store, tmp_path):
    """No champion: the fraud model at MODEL_DIR's LATEST (else the pin, else its newest), another
    model at its newest version; a champion wins over both; no version or inactive: not monitored."""
    from driftwatch_core import stages
    from worker.targets import Targets

    with Session(clean_db) as session, session.begin():
        for name in ("a", "b", "c", "d"):
            session.add(RegisteredModel(name=name, task="binary_classification", description="", created_at=NOW))
        session.flush()
        for name, version, minutes in (("a", "a-old", 0), ("a", "a-new", 5), ("b", "b-old", 0), ("b", "b-new", 5)):
            session.add(
                ModelVersion(
                    version=version,
                    model_name=name,
                    trained_at=NOW,
                    threshold=0.5,
                    metrics={},
                    feature_schema=[],
                    registered_at=NOW + timedelta(minutes=minutes),
                )
            )
        session.add(
            ModelVersion(version="d-1", model_name="d", trained_at=NOW, threshold=0.5, metrics={}, feature_schema=[])
        )
        session.flush()
        stages.promote(session, "b", "b-old", actor="test")  # a champion older than the newest version
        session.execute(update(RegisteredModel).where(RegisteredModel.name == "d").values(active=False))
    with clean_db.connect() as conn:
        plan = Targets(settings.model_dir).plan(conn)
        pinned = Targets(tmp_path / "empty", pinned="pinned-version").plan(conn)
        no_files = Targets(tmp_path / "empty").plan(conn)
    assert list(plan.items()) == [("a", "a-new"), ("b", "b-old"), (DEFAULT_MODEL, store.version)]  # by name
    assert plan[DEFAULT_MODEL] == store.version  # MODEL_DIR's LATEST
    assert pinned[DEFAULT_MODEL] == "pinned-version"
    assert no_files[DEFAULT_MODEL] == store.version  # its newest registered version


def test_a_feature_named_like_the_score_is_refused_by_name():
    schema = [{"name": "score", "kind": "numeric"}]
    with pytest.raises(BrokenReference, match="feature 'score' has the name the score is judged under"):
        build_target("m", "v1", schema, {"features": {}, "score_name": "score"}, "database")
    with pytest.raises(BrokenReference, match="v1 has no feature schema"):
        build_target("m", "v1", [], {"features": {}}, "database")


def test_once_exits_1_when_a_model_failed_and_logs_one_line_per_model(
    database_url, model_dir, store, register, send, clean_db
):
    now = datetime.now(UTC)
    store(TransactionGenerator(seed=46).sample(300), now, 100)
    version = register()
    send(version, now)
    with clean_db.begin() as conn:
        conn.execute(update(ModelVersion).where(ModelVersion.version == version).values(reference={"features": []}))
    env = {**os.environ, "DATABASE_URL": database_url, "MODEL_DIR": str(model_dir)}
    proc = subprocess.run(
        [sys.executable, "-m", "worker", "--once"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "worker.loop: cancer: cycle 1 failed after" in out and "BrokenReference" in out
    assert "worker.loop: fraud: cycle 2: ok, 300 rows" in out  # in name order, after the failed one
    assert "cancer: monitoring cycle failed (run 1)\nTraceback" in out  # the traceback, named
    assert [(a.model_name, a.kind) for a in open_alerts(clean_db)] == [("cancer", "monitoring_failed")]
