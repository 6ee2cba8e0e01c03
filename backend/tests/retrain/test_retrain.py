"""Retraining in-process against PostgreSQL: after concept drift the challenger beats the champion on
traffic neither has seen, and is registered in shadow; too few labels are refused, naming the counts.
What a retrain mixes into the traffic is the champion's reference rows (``model_versions.reference_table``),
whatever the model: the demo's and an upload's alike."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.registry import registration
from app.retrain import jobs
from driftwatch_core.db.models import ModelEvent, ModelVersion, RegisteredModel, RetrainJob
from driftwatch_core.features import SCORE_NAME
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_core.scenarios import resolve_params
from driftwatch_testing import DEMO_MODEL


def concept_drift() -> Drift:
    """The simulator's concept-drift scenario at its default magnitude (share of labels on the new pattern)."""
    return Drift(concept=resolve_params("concept", {})["magnitude"])


def queue(factory, settings, name: str = DEMO_MODEL, **kwargs) -> int:
    with factory.begin() as session:
        return jobs.request_retrain(session, name, settings=settings, requested_by="test", **kwargs).id


def events(engine, name: str = DEMO_MODEL) -> list[ModelEvent]:
    with Session(engine) as session:
        query = select(ModelEvent).where(ModelEvent.model_name == name).order_by(ModelEvent.id)
        return list(session.scalars(query))


def versions(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(ModelVersion))


def test_after_concept_drift_the_challenger_beats_the_champion_on_the_newest_traffic(
    factory, clean_db, champion, store, retrain_settings
):
    settings = retrain_settings(retrain_trials=3)
    batch = TransactionGenerator(seed=11).sample(3_000, concept_drift())
    start = datetime.now(UTC) - timedelta(minutes=45)
    store(champion, batch.records(), batch.labels, end=start + timedelta(minutes=40), span=timedelta(minutes=40))

    job_id = queue(factory, settings)
    progress: list[str] = []
    job = jobs.run_job(factory, job_id, settings, echo=progress.append)

    assert job.status == "registered", job.error
    assert job.started_at is not None and job.finished_at is not None and job.error is None
    assert any(line.startswith("training: trial 3 of 3") for line in progress), progress
    holdout = job.result["holdout"]
    assert holdout["rows"] == 600 and holdout["positives"] > 5  # the newest 20% of 3,000
    # The champion learned the old fraud pattern; on post-drift traffic neither has trained on, the
    # challenger (post-drift traffic + some original data) ranks fraud much better.
    assert holdout["champion_roc_auc"] < 0.65
    assert holdout["challenger_roc_auc"] > holdout["champion_roc_auc"] + 0.15, holdout
    assert holdout["champion_scores"] == {"answered": 600, "shadow": 0, "scored_now": 0}
    assert {"precision", "recall", "f1"} <= holdout["challenger"].keys() <= holdout["champion"].keys()

    with Session(clean_db) as session:
        model = session.get(RegisteredModel, DEMO_MODEL)
        assert model.champion_version == champion  # the champion still answers
        assert model.challenger_version == job.version and model.challenger_mode == "shadow"
        new = session.get(ModelVersion, job.version)
        old = session.get(ModelVersion, champion)
    source = new.source
    assert source["trainer"] == "app.retrain" and source["job_id"] == job_id and source["champion"] == champion
    mix = source["mix"]
    assert mix["traffic_rows"] == 2_400 and mix["reference_rows"] == 800  # a quarter: 800 of 3,200
    assert mix["reference_share"] == 0.25 and "reference_note" not in mix
    champion_rows = rows_of(old.reference_table, old.label_column)
    assert mix["reference_available"] == len(champion_rows) == old.metrics["n"]
    # The new version keeps its training table: the traffic, then rows drawn from the champion's own.
    trained_on = rows_of(new.reference_table, new.label_column)
    assert len(trained_on) == source["training_rows"] == 3_200
    assert set(trained_on[2_400:]) <= set(champion_rows) and len(set(trained_on[2_400:])) == 800
    window = source["time_range"]
    assert datetime.fromisoformat(window["from"]) <= start and window["window_minutes"] == 60
    assert holdout["from"] > source["time_range"]["first_row"]  # the hold-out is the newest traffic
    assert source["trials"]["trials_run"] == 3 and source["params"]["nthread"] == 1
    # The version is the champion's contract: same schema, threshold, label; the fraud score's name.
    assert new.feature_schema == old.feature_schema and new.threshold == old.threshold
    assert new.label_column == "is_fraud" and new.format == "xgboost-json"
    assert new.reference["score_name"] == SCORE_NAME and SCORE_NAME in new.reference
    assert new.metrics["roc_auc"] == holdout["challenger_roc_auc"]

    kinds = [(e.kind, e.version) for e in events(clean_db)]
    assert [k for k, _ in kinds if k.startswith("retrain")] == [
        "retrain_queued",
        "retrain_started",
        "retrain_registered",
    ]
    assert ("registered", job.version) in kinds and ("shadow", job.version) in kinds
    registered = next(e for e in events(clean_db) if e.kind == "retrain_registered")
    assert job.version in registered.message
    assert f"{holdout['challenger_roc_auc']:.3f}" in registered.message
    assert f"{holdout['champion_roc_auc']:.3f}" in registered.message


def test_too_few_labels_are_refused_naming_the_counts_and_nothing_is_registered(
    factory, clean_db, champion, store, retrain_settings
):
    settings = retrain_settings()
    batch = TransactionGenerator(seed=12).sample(40)
    store(champion, batch.records(), batch.labels)
    before = versions(clean_db)

    with pytest.raises(jobs.data.TooFewLabels) as refused:  # asking: refused before a job exists
        queue(factory, settings)
    assert refused.value.detail.startswith("only 40 labelled predictions of fraud since ")
    assert "UTC; retraining needs at least 200 (both classes)" in refused.value.detail

    # A job queued anyway (by the worker's policy) fails with the same reason.
    with factory.begin() as session:
        job = RetrainJob(model_name=DEMO_MODEL, status="queued", trigger="policy", params={})
        session.add(job)
        session.flush()
        job_id = job.id
    failed = jobs.run_job(factory, job_id, settings)
    assert failed.status == "failed" and failed.error.startswith("only 40 labelled predictions of fraud")
    assert failed.result["failure"] == "refused" and failed.result["labels"]["labelled"] == 40
    assert versions(clean_db) == before
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, DEMO_MODEL).challenger_version is None
    assert [e.kind for e in events(clean_db)] == ["registered", "promoted", "retrain_started", "retrain_failed"]


def test_a_hold_out_without_fraud_is_refused_saying_so(factory, champion, store, retrain_settings):
    settings = retrain_settings(retrain_min_labels=100)
    batch = TransactionGenerator(seed=13).sample(400)
    labels = batch.labels.copy()
    labels[-80:] = 0  # the newest 20%: no fraud
    labels[:10] = 1
    store(champion, batch.records(), labels)
    with pytest.raises(jobs.data.TooFewLabels) as refused:
        queue(factory, settings)
    assert "held out (the newest) since" in refused.value.detail and "no positive label" in refused.value.detail


def rows_of(table: bytes, label: str) -> list[tuple]:
    """A version's kept reference rows (features, then the label) as tuples, in order."""
    frame = pd.read_parquet(io.BytesIO(table))
    columns = [c for c in frame.columns if c != label] + [label]
    return [tuple(row) for row in frame[columns].astype({label: int}).itertuples(index=False)]


def register_toy(factory, store) -> tuple[str, int]:
    """An uploaded XGBoost model (600 reference rows, threshold 0.4, label ``target``), then 600
    labelled predictions of later traffic on which a different rule decides the label."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1_200, 4))
    y = (X[:, 0] + 0.7 * X[:, 1] + rng.normal(scale=0.8, size=len(X)) > 1.2).astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "nthread": 1}, xgb.DMatrix(X[:600], y[:600]), 30
    )
    frame = pd.DataFrame(X[:600], columns=["a", "b", "c", "d"]).assign(target=y[:600])
    upload = registration.Upload(
        name="toy",
        artifact=bytes(booster.save_raw("json")),
        reference=frame.to_csv(index=False).encode(),
        reference_filename="toy.csv",
        label="target",
        threshold=0.4,
    )
    with factory.begin() as session:
        first = registration.save(session, registration.prepare(upload), actor="test").version
    live = X[600:]
    flipped = (live[:, 2] - live[:, 3] + rng.normal(scale=0.5, size=len(live)) > 0.8).astype(int)
    store(first, [dict(zip("abcd", map(float, row), strict=True)) for row in live], flipped, model="toy")
    return first, len(frame)


def retrain_toy(factory, clean_db, retrain_settings) -> ModelVersion:
    settings = retrain_settings(retrain_min_labels=100)
    job = jobs.run_job(factory, queue(factory, settings, "toy"), settings)
    assert job.status == "registered", job.error
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, "toy").challenger_version == job.version
        return session.get(ModelVersion, job.version)


def test_an_uploaded_model_is_retrained_with_its_own_reference_rows_and_keeps_its_contract(
    factory, clean_db, store, retrain_settings
):
    first, uploaded_rows = register_toy(factory, store)
    new = retrain_toy(factory, clean_db, retrain_settings)
    mix = new.source["mix"]
    assert mix["traffic_rows"] == 480 and mix["reference_rows"] == 160  # a quarter of 640
    assert mix["reference_available"] == uploaded_rows and "reference_note" not in mix
    with Session(clean_db) as session:
        uploaded = rows_of(session.get(ModelVersion, first).reference_table, "target")
    trained_on = rows_of(new.reference_table, "target")
    assert len(trained_on) == 640 and set(trained_on[480:]) <= set(uploaded)
    assert new.threshold == 0.4 and new.label_column == "target" and new.reference["score_name"] == SCORE_NAME
    assert "positive_rate" in new.metrics
    holdout = new.source["holdout"]
    assert holdout["challenger_roc_auc"] > holdout["champion_roc_auc"]


def test_a_champion_registered_before_reference_rows_were_kept_trains_on_traffic_alone_saying_why(
    factory, clean_db, store, retrain_settings
):
    first, _ = register_toy(factory, store)
    with factory.begin() as session:  # as migration 0006 left a version registered before it
        session.execute(update(ModelVersion).where(ModelVersion.version == first).values(reference_table=None))
    new = retrain_toy(factory, clean_db, retrain_settings)
    mix = new.source["mix"]
    assert mix["traffic_rows"] == 480 and mix["reference_rows"] == 0 and mix["reference_share"] == 0.0
    assert "reference_available" not in mix
    assert mix["reference_note"] == "the champion keeps no reference rows (it was registered before they were kept)"
    assert new.source["training_rows"] == 480 and len(rows_of(new.reference_table, "target")) == 480
    assert new.threshold == 0.4 and new.label_column == "target"
    holdout = new.source["holdout"]
    assert holdout["challenger_roc_auc"] > holdout["champion_roc_auc"]
