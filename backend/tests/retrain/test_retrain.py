"""Retraining in-process against PostgreSQL: after concept drift the challenger beats the champion on
traffic neither has seen, and is registered in shadow; too few labels are refused, naming the counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.registry import service
from app.retrain import jobs
from driftwatch_core.db.models import DEFAULT_MODEL, ModelEvent, ModelVersion, RegisteredModel, RetrainJob
from driftwatch_core.features import SCORE_NAME
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_core.scenarios import resolve_params

pytestmark = pytest.mark.slow


def concept_drift() -> Drift:
    """The simulator's concept-drift scenario at its default magnitude (share of labels on the new pattern)."""
    return Drift(concept=resolve_params("concept", {})["magnitude"])


def queue(factory, settings, name: str = DEFAULT_MODEL, **kwargs) -> int:
    with factory.begin() as session:
        return jobs.request_retrain(session, name, settings=settings, requested_by="test", **kwargs).id


def events(engine, name: str = DEFAULT_MODEL) -> list[ModelEvent]:
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
        model = session.get(RegisteredModel, DEFAULT_MODEL)
        assert model.champion_version == champion  # the champion still answers
        assert model.challenger_version == job.version and model.challenger_mode == "shadow"
        new = session.get(ModelVersion, job.version)
        old = session.get(ModelVersion, champion)
    source = new.source
    assert source["trainer"] == "app.retrain" and source["job_id"] == job_id and source["champion"] == champion
    mix = source["mix"]
    assert mix["traffic_rows"] == 2_400 and 0 < mix["reference_rows"] <= 800  # at most a quarter: 800 of 3,200
    assert mix["reference_share"] <= 0.25 and mix["reference_origin"]["seed"] == old.source["seed"]
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
        job = RetrainJob(model_name=DEFAULT_MODEL, status="queued", trigger="policy", params={})
        session.add(job)
        session.flush()
        job_id = job.id
    failed = jobs.run_job(factory, job_id, settings)
    assert failed.status == "failed" and failed.error.startswith("only 40 labelled predictions of fraud")
    assert failed.result["failure"] == "refused" and failed.result["labels"]["labelled"] == 40
    assert versions(clean_db) == before
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, DEFAULT_MODEL).challenger_version is None
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


def test_an_uploaded_model_is_retrained_without_reference_rows_and_keeps_its_score_name(
    factory, clean_db, store, retrain_settings
):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(1_200, 4))
    y = (X[:, 0] + 0.7 * X[:, 1] + rng.normal(scale=0.8, size=len(X)) > 1.2).astype(int)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "nthread": 1}, xgb.DMatrix(X[:600], y[:600]), 30
    )
    frame = pd.DataFrame(X[:600], columns=["a", "b", "c", "d"]).assign(target=y[:600])
    upload = service.Upload(
        name="toy",
        artifact=bytes(booster.save_raw("json")),
        reference=frame.to_csv(index=False).encode(),
        reference_filename="toy.csv",
        label="target",
        threshold=0.4,
    )
    with factory.begin() as session:
        first = service.save(session, service.prepare(upload), actor="test").version
    # Later traffic: a different rule decides the label, so the uploaded model falls behind.
    live = X[600:]
    flipped = (live[:, 2] - live[:, 3] + rng.normal(scale=0.5, size=len(live)) > 0.8).astype(int)
    store(first, [dict(zip("abcd", map(float, row), strict=True)) for row in live], flipped, model="toy")

    settings = retrain_settings(retrain_min_labels=100)
    job = jobs.run_job(factory, queue(factory, settings, "toy"), settings)
    assert job.status == "registered", job.error
    with Session(clean_db) as session:
        new = session.get(ModelVersion, job.version)
        assert session.get(RegisteredModel, "toy").challenger_version == job.version
    mix = new.source["mix"]
    assert mix["reference_rows"] == 0 and mix["reference_origin"] is None
    assert "registered by upload" in mix["reference_note"]
    assert new.threshold == 0.4 and new.label_column == "target" and new.reference["score_name"] == "score"
    assert "positive_rate" in new.metrics
    holdout = new.source["holdout"]
    assert holdout["challenger_roc_auc"] > holdout["champion_roc_auc"]
