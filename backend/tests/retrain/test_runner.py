"""The runner end to end: a queued job row → a child process → registered (or failed, saying why).

Every wait polls the database against a generous deadline: a child process imports the
backend and trains, which on a busy two-core machine takes anything from a second to many.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.retrain import jobs
from app.retrain.runner import RetrainRunner
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.models import ModelEvent, RegisteredModel, RetrainJob
from driftwatch_core.db.schema import init_schema
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_testing import DEMO_MODEL, empty_database

DEADLINE_S = 180.0


def queue_job(factory, model: str = DEMO_MODEL, **params) -> int:
    """A job row as the worker's retrain policy inserts it."""
    with factory.begin() as session:
        job = RetrainJob(model_name=model, status="queued", trigger="policy", params=params)
        session.add(job)
        session.flush()
        return job.id


def job_of(engine, job_id: int) -> RetrainJob:
    with Session(engine) as session:
        job = session.get(RetrainJob, job_id)
        assert job is not None
        return job


def wait_for(engine, job_id: int, statuses: tuple[str, ...], deadline_s: float = DEADLINE_S) -> RetrainJob:
    deadline = time.monotonic() + deadline_s
    seen = []
    while time.monotonic() < deadline:
        job = job_of(engine, job_id)
        if not seen or seen[-1] != (job.status, job.progress):
            seen.append((job.status, job.progress))
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not {statuses} within {deadline_s} s; it went {seen}")


@pytest.fixture
def runner(factory, retrain_settings):
    started: list[RetrainRunner] = []

    def start(**overrides) -> RetrainRunner:
        settings = retrain_settings(retrain_poll_s=0.2, **overrides)
        r = RetrainRunner(factory, settings)
        r.start()
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()


@pytest.mark.slow  # the runner starts a child process
def test_a_queued_job_is_run_in_a_child_process_and_registers_a_challenger(factory, clean_db, champion, store, runner):
    batch = TransactionGenerator(seed=21).sample(1_500, Drift(concept=0.8))
    store(champion, batch.records(), batch.labels)
    unknown = queue_job(factory, "ghost")  # the oldest: claimed first, fails at once
    job_id = queue_job(factory, trials=2)

    r = runner()
    failed = wait_for(clean_db, unknown, ("registered", "failed"))
    assert failed.status == "failed" and failed.error == "no model named 'ghost': GET /api/v1/models lists them"
    done = wait_for(clean_db, job_id, ("registered", "failed"))
    assert done.status == "registered", done.error
    assert done.started_at is not None and done.finished_at >= done.started_at
    assert done.progress == f"registered {done.version} in shadow"
    assert done.result["trials"]["trials_run"] == 2 and done.result["mix"]["traffic_rows"] == 1_200
    assert done.params == {"trials": 2, "window_minutes": 60.0}  # the default window, filled in
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, DEMO_MODEL).challenger_version == done.version
        kinds = session.scalars(
            select(ModelEvent.kind).where(ModelEvent.model_name == DEMO_MODEL).order_by(ModelEvent.id)
        ).all()
    assert kinds[-4:] == ["retrain_started", "registered", "shadow", "retrain_registered"]
    wait_idle(r)  # the runner reaps its child, and the job keeps its end


def wait_idle(r: RetrainRunner, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while r.running_job is not None:
        assert time.monotonic() < deadline, f"the runner still runs job {r.running_job}"
        time.sleep(0.1)


@pytest.mark.slow  # the runner starts a child process
def test_a_job_running_too_long_is_terminated_and_failed(factory, clean_db, champion, store, runner):
    batch = TransactionGenerator(seed=22).sample(400)
    store(champion, batch.records(), batch.labels)
    job_id = queue_job(factory)
    r = runner(retrain_timeout_s=0.5)  # the child cannot even import the backend in that time
    failed = wait_for(clean_db, job_id, ("registered", "failed"))
    assert failed.status == "failed" and failed.error.startswith("timed out: still running after RETRAIN_TIMEOUT_S")
    assert failed.result["failure"] == "timeout"
    wait_idle(r)  # the runner ends its child


@pytest.mark.slow  # the runner starts a child process
def test_stopping_the_runner_ends_its_child_and_fails_the_job(factory, clean_db, champion, store, runner):
    batch = TransactionGenerator(seed=23).sample(400)
    store(champion, batch.records(), batch.labels)
    job_id = queue_job(factory, trials=50)
    r = runner()
    deadline = time.monotonic() + DEADLINE_S
    while r.running_job != job_id:  # claimed, and its child started
        assert time.monotonic() < deadline, job_of(clean_db, job_id).status
        time.sleep(0.05)
    child = r._child
    assert child is not None
    r.stop()
    job = job_of(clean_db, job_id)
    if job.status != "registered":  # a fast machine may finish 50 trials first; else the stop ended it
        assert job.status == "failed" and job.error == "the backend stopped while the job was running"
    assert child.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)


def test_of_several_runners_claiming_one_job_exactly_one_wins(dialect, tmp_path):
    """The claim is a conditional UPDATE: on PostgreSQL and on SQLite one claimant wins, whoever else tries."""
    with empty_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        try:
            init_schema(engine)
            factory = make_session_factory(engine)
            job_id = queue_job(factory)
            barrier, won = threading.Barrier(4), []

            def claim() -> None:
                barrier.wait()
                won.append(jobs.claim(factory, job_id))

            threads = [threading.Thread(target=claim) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert sorted(won) == [False, False, False, True]
            assert job_of(engine, job_id).status == "training"
            assert jobs.claim_next(factory) is None  # nothing else is queued
            with Session(engine) as session:
                started = session.scalars(select(ModelEvent).where(ModelEvent.kind == "retrain_started")).all()
            assert len(started) == 1
        finally:
            engine.dispose()
