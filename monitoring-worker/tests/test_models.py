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
    Alert,
    DriftResult,
    ModelVersion,
    MonitoringRun,
    PerformanceResult,
    RegisteredModel,
)
from driftwatch_core.features import FEATURE_NAMES, SCORE_NAME
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import DEMO_MODEL
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
    """Register a version of "cancer" as the registry stores one (its schema, its reference built by
    ``driftwatch_core.reference`` from the reference half and the model's scores), its champion;
    returns its version id. The worker's tests never import the backend."""
    from driftwatch_core import stages
    from driftwatch_core.features import Feature
    from driftwatch_core.reference import build_reference

    reference, _live, model, onnx = cancer
    inputs = reference.drop(columns="target")
    schema = tuple(Feature(str(c), "numeric", str(c), float(inputs[c].iloc[0])) for c in inputs.columns)
    scores = model.predict_proba(inputs.to_numpy(np.float32))[:, 1]
    columns = {f.name: inputs[f.name].to_numpy(float) for f in schema}

    def _register(at: datetime = NOW, threshold: float = 0.5) -> str:
        version = f"{at:%Y%m%d-%H%M%S}-cancer"
        with Session(clean_db) as session, session.begin():
            if session.get(RegisteredModel, "cancer") is None:
                session.add(RegisteredModel(name="cancer", task="binary_classification", description="", created_at=at))
                session.flush()
            session.add(
                ModelVersion(
                    version=version,
                    model_name="cancer",
                    trained_at=at,
                    threshold=threshold,
                    metrics={"n": len(inputs)},
                    feature_schema=[f.to_dict() for f in schema],
                    registered_at=at,
                    format="onnx",
                    artifact=onnx,
                    reference=build_reference(columns, scores, seed=0, schema=schema),
                    label_column="target",
                )
            )
            session.flush()
            stages.promote(session, "cancer", version, actor="test")
        return version

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

    assert list(report.results) == ["cancer", DEMO_MODEL] and report.ok  # in name order
    fraud, registered = report[DEMO_MODEL], report["cancer"]
    assert (fraud.status, fraud.n_rows, fraud.version) == ("ok", 1_000, store.version)
    assert not fraud.dataset.drifted and [r.feature for r in fraud.drift if r.drifted] == []
    assert (registered.status, registered.n_rows, registered.version) == ("ok", n_cancer, version)
    assert sorted(r.feature for r in registered.drift if r.drifted) == sorted(SHIFTED)
    assert registered.score.feature == "score" and not registered.dataset.drifted  # 2 of 30 features

    stored = runs(clean_db)
    assert stored[DEMO_MODEL].id == fraud.run_id and stored["cancer"].id == registered.run_id
    assert (stored[DEMO_MODEL].model_version, stored["cancer"].model_version) == (store.version, version)
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
        [event] = apply(session, DEMO_MODEL, [condition], {"feature_drift"}, 3, NOW)
    assert (event.action, event.text) == ("opened", "[critical] Amount (USD) shifted strongly: PSI 0.40")
    by_model = {a.model_name: a for a in open_alerts(clean_db)}
    assert by_model[DEMO_MODEL].message == "Amount (USD) shifted strongly: PSI 0.40"
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

    assert report.failed == ["cancer"] and report[DEMO_MODEL].status == "ok"
    assert "the reference of 'mean radius' is unusable" in report["cancer"].error
    stored = runs(clean_db)
    assert stored[DEMO_MODEL].status == "ok"
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
            assert list(monitor.run_cycle(NOW + timedelta(seconds=30 * i)).results) == ["cancer", DEMO_MODEL]
    loads = [r.getMessage() for r in caplog.records if "loaded the reference" in r.getMessage()]
    assert loads == [
        f"model cancer: loaded the reference of version {version}",
        f"model fraud: loaded the reference of version {store.version}",
    ]
    with monitor.engine.begin() as conn:
        conn.execute(update(RegisteredModel).where(RegisteredModel.name == "cancer").values(active=False))
    assert list(monitor.run_cycle(NOW + timedelta(minutes=2)).results) == [DEMO_MODEL]


def test_a_model_is_judged_at_its_champion_from_its_registered_reference(settings, store, clean_db):
    """The champion is judged, not the newest version: every model alike, the registry the only source."""
    from driftwatch_core import stages

    store(TransactionGenerator(seed=45).sample(400), NOW, 200)
    with Session(clean_db) as session, session.begin():
        registered = session.get(ModelVersion, store.version)
        assert registered is not None
        session.add(
            ModelVersion(
                version="newer-than-served",
                model_name=DEMO_MODEL,
                trained_at=NOW,
                threshold=0.5,
                metrics={},
                feature_schema=registered.feature_schema,
                registered_at=registered.registered_at + timedelta(minutes=1),
                reference=registered.reference,
            )
        )
    result = Monitor(settings, clean_db).run_cycle(NOW)[DEMO_MODEL]
    assert (result.status, result.version, result.n_rows) == ("ok", store.version, 400)
    assert result.score.feature == SCORE_NAME

    with Session(clean_db) as session, session.begin():
        stages.promote(session, DEMO_MODEL, "newer-than-served", actor="test")
    promoted = Monitor(settings, clean_db).run_cycle(NOW + timedelta(seconds=30))[DEMO_MODEL]
    assert (promoted.status, promoted.version, promoted.n_rows) == ("insufficient_data", "newer-than-served", 0)


def test_a_version_without_a_reference_fails_its_models_cycle_alone(settings, store, clean_db, staged_model):
    """No model has another source of its reference: a champion without one fails that model's cycle,
    naming it, and the others' cycles run."""
    from driftwatch_core import stages

    staged_model(clean_db, "other", {"o-1": np.linspace(0, 1, 100)}, champion="o-1")
    with Session(clean_db) as session, session.begin():
        session.execute(update(RegisteredModel).values(active=True))  # staged_model set the demo inactive
        registered = session.get(ModelVersion, store.version)
        assert registered is not None
        session.add(
            ModelVersion(
                version="no-reference",
                model_name=DEMO_MODEL,
                trained_at=NOW,
                threshold=0.5,
                metrics={},
                feature_schema=registered.feature_schema,
                registered_at=NOW,
            )
        )
        session.flush()
        stages.promote(session, DEMO_MODEL, "no-reference", actor="test")
    report = Monitor(settings, clean_db).run_cycle(NOW)
    assert report.failed == [DEMO_MODEL]
    assert report[DEMO_MODEL].error == "BrokenReference: version no-reference has no reference"
    assert report["other"] is not None and report["other"].status != "failed"


def test_models_are_judged_at_their_champion_else_their_newest_version(clean_db, store):
    """A champion wins over a newer version; without one, the newest version; no version or
    inactive: not monitored. Every model alike, in name order."""
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
        plan = Targets().plan(conn)
    assert list(plan.items()) == [("a", "a-new"), ("b", "b-old"), (DEMO_MODEL, store.version)]  # by name


def test_a_feature_named_like_the_score_is_refused_by_name():
    schema = [{"name": "score", "kind": "numeric"}]
    with pytest.raises(BrokenReference, match="feature 'score' has the name the score is judged under"):
        build_target("m", "v1", schema, {"features": {}, "score_name": "score"})
    with pytest.raises(BrokenReference, match="v1 has no feature schema"):
        build_target("m", "v1", [], {"features": {}})


def test_once_exits_1_when_a_model_failed_and_logs_one_line_per_model(database_url, store, register, send, clean_db):
    now = datetime.now(UTC)
    store(TransactionGenerator(seed=46).sample(300), now, 100)
    version = register()
    send(version, now)
    with clean_db.begin() as conn:
        conn.execute(update(ModelVersion).where(ModelVersion.version == version).values(reference={"features": []}))
    env = {**os.environ, "DATABASE_URL": database_url}
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
