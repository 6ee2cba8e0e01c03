"""The retrain policy: a job after N bad cycles in a row, never twice, never during a cooldown or a challenge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from driftwatch_core import stages
from driftwatch_core.db.models import ModelEvent, MonitoringRun, PerformanceResult, RetrainJob
from driftwatch_core.generator import Drift, TransactionGenerator
from worker import policy
from worker.cycle import Monitor

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
UNIFORM = np.linspace(0.001, 0.999, 100)


def jobs(engine) -> list[RetrainJob]:
    with engine.connect() as conn:
        return list(conn.execute(select(RetrainJob).order_by(RetrainJob.id)))


def queued_events(engine) -> list[ModelEvent]:
    with engine.connect() as conn:
        return list(conn.execute(select(ModelEvent).where(ModelEvent.kind == "retrain_queued").order_by(ModelEvent.id)))


def test_concept_drift_queues_one_retraining_after_three_bad_cycles(settings, store, clean_db):
    store(TransactionGenerator(seed=70).sample(2_000, Drift(concept=1.0)), NOW, 280, label_share=1.0)
    monitor = Monitor(settings.model_copy(update={"retrain_policy": True}), clean_db)

    def cycle(i: int):
        return monitor.run_cycle(NOW + timedelta(seconds=30 * i))["fraud"]

    for i in range(2):
        result = cycle(i)
        assert result.realized["roc_auc"] < 0.8 and result.retrain_job is None
    assert jobs(clean_db) == []
    third = cycle(2)
    [job] = jobs(clean_db)
    assert third.retrain_job == job.id
    assert (job.model_name, job.status, job.trigger, job.requested_by, job.params) == (
        "fraud",
        "queued",
        "policy",
        "policy",
        {},
    )
    assert job.created_at == NOW + timedelta(seconds=60)
    assert job.progress.startswith(
        f"queued by the retrain policy: the realized ROC-AUC of {store.version} was below 0.800"
    )
    [event] = queued_events(clean_db)
    assert (event.model_name, event.actor, event.version) == ("fraud", "policy", store.version)
    assert event.message.startswith(f"retraining queued (job {job.id}): ") and event.details["job_id"] == job.id
    assert len(event.details["roc_auc"]) == 3 and max(event.details["roc_auc"]) < 0.8

    assert cycle(3).retrain_job is None  # the job is still queued
    with clean_db.begin() as conn:
        conn.execute(update(RetrainJob).values(status="failed", error="boom", finished_at=NOW + timedelta(seconds=95)))
    assert cycle(4).retrain_job is None  # failed, but within the 30-minute cooldown
    with clean_db.begin() as conn:
        conn.execute(update(RetrainJob).values(created_at=NOW - timedelta(minutes=40)))
    assert cycle(5).retrain_job is not None  # cooldown over, still bad: queued again
    assert len(jobs(clean_db)) == 2 and len(queued_events(clean_db)) == 2


def add_runs(engine, model: str, aucs: list, version: str = "v1", first: int = 0, n_rows: int = 500, status="ok"):
    """Finished cycles of ``model`` 30 s apart from NOW + 30 s x ``first``, each with a realized
    ROC-AUC (None: no realized result)."""
    with Session(engine) as session, session.begin():
        for i, auc in enumerate(aucs, start=first):
            at = NOW + timedelta(seconds=30 * i)
            run = MonitoringRun(
                model_name=model,
                slot=at,
                started_at=at,
                finished_at=at,
                window_start=at - timedelta(minutes=5),
                window_end=at,
                n_rows=1_000,
                status=status,
                model_version=version,
            )
            session.add(run)
            session.flush()
            if auc is not None:
                metrics = {"roc_auc": auc, "n_rows": n_rows}
                session.add(
                    PerformanceResult(
                        run_id=run.id,
                        computed_at=at,
                        window_start=at - timedelta(minutes=30),
                        window_end=at,
                        kind="realized",
                        n_rows=n_rows,
                        metrics=metrics,
                    )
                )


@pytest.fixture
def policy_on(settings):
    return settings.model_copy(update={"retrain_policy": True, "retrain_after_cycles": 3, "min_labels": 100})


def test_only_n_consecutive_bad_cycles_of_the_champion_count(clean_db, staged_model, policy_on):
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, champion="v1")
    at = NOW + timedelta(minutes=5)

    def check():
        return policy.check(clean_db, policy_on, "m", "v1", at)

    add_runs(clean_db, "m", [0.6, 0.6])
    assert check() is None  # two bad cycles
    add_runs(clean_db, "m", [0.9], first=2)
    add_runs(clean_db, "m", [0.6, 0.6], first=3)
    assert check() is None  # bad, bad, good, bad, bad: the last three are not all bad
    add_runs(clean_db, "m", [0.6], first=5, n_rows=50)
    assert check() is None  # too few labels to count
    add_runs(clean_db, "m", [None], first=6, status="failed")
    add_runs(clean_db, "m", [0.6, 0.6], first=7)
    assert check() is None  # a failed cycle breaks the streak
    add_runs(clean_db, "m", [0.6], first=9, version="v2")
    add_runs(clean_db, "m", [0.6, 0.6], first=10)
    assert check() is None  # one of the three judged another version
    add_runs(clean_db, "m", [0.6], first=12)
    add_runs(clean_db, "m", [None], first=13, status="running")  # the newest: another worker's, in progress
    assert policy.check(clean_db, policy_on.model_copy(update={"retrain_policy": False}), "m", "v1", at) is None
    assert jobs(clean_db) == []
    job = check()  # the last three finished: 0.6, 0.6, 0.6 on enough labels
    assert job is not None and [j.id for j in jobs(clean_db)] == [job]
    assert policy.bad_streak(clean_db, policy_on, "m", "v1").roc_auc == [0.6, 0.6, 0.6]
    assert policy.bad_streak(clean_db, policy_on.model_copy(update={"retrain_min_roc_auc": 0.5}), "m", "v1") is None


@pytest.mark.parametrize(
    "blocker",
    ["queued job", "training job", "recent registered job", "shadow challenger", "canary challenger"],
)
def test_no_job_while_one_runs_within_the_cooldown_or_during_a_challenge(clean_db, staged_model, policy_on, blocker):
    mode = "canary" if "canary" in blocker else "shadow"
    challenger = "v2" if "challenger" in blocker else None
    staged_model(
        clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, "v1", challenger, mode, 0.2 if mode == "canary" else None
    )
    add_runs(clean_db, "m", [0.6, 0.6, 0.6])
    at = NOW + timedelta(minutes=5)
    if "job" in blocker:
        status, created = {
            "queued job": ("queued", at - timedelta(hours=5)),  # old, but still waiting to run
            "training job": ("training", at - timedelta(hours=5)),
            "recent registered job": ("registered", at - timedelta(minutes=20)),
        }[blocker]
        with Session(clean_db) as session, session.begin():
            session.add(
                RetrainJob(model_name="m", status=status, trigger="manual", requested_by="admin", created_at=created)
            )
    before = len(jobs(clean_db))

    assert policy.check(clean_db, policy_on, "m", "v1", at) is None
    assert len(jobs(clean_db)) == before and queued_events(clean_db) == []

    # The blocker gone (job finished long ago, challenger retired): the policy fires.
    with Session(clean_db) as session, session.begin():
        session.execute(update(RetrainJob).values(status="registered", created_at=at - timedelta(hours=1)))
        if challenger:
            stages.retire(session, "m", "v2", actor="test")
    assert policy.check(clean_db, policy_on, "m", "v1", at) is not None
