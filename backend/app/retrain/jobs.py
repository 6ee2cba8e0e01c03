"""Retrain jobs: queued → training → evaluating → registered, or failed with the reason.

A job row (``retrain_jobs``) is created by the API or the command line
(``trigger="manual"``) or by the monitoring worker when its retrain policy fires
(``trigger="policy"``). A runner claims a queued job with a conditional update
(``... WHERE status = 'queued'``, one winner however many backend processes try),
and runs it. Every transition and every progress line is committed at once, so
``GET /models/{name}/retrain/{id}`` shows the job live; every transition of a
running job is conditional on it still running, so a job failed meanwhile (it
timed out, its runner stopped) is never revived by a late child: the child stops
(``JobGone``). The registration of the challenger and the job's ``registered``
status are one transaction.

Events (``driftwatch_core.stages.record_event``): ``retrain_queued`` when a job is
created here, ``retrain_started`` when it is claimed, ``retrain_registered`` (the
version and both hold-out ROC-AUCs) or ``retrain_failed`` (why); the
registration itself records ``registered`` and ``shadow``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.errors import Conflict, DomainError, NotFound
from app.registry import registration
from app.registry.lookup import registered_model
from app.retrain import data
from app.retrain.challenger import Options, Outcome, Reporter, champion_of, default_window, retrain
from driftwatch_core import stages
from driftwatch_core.db.models import RetrainJob, utcnow

log = logging.getLogger(__name__)

ACTIVE = ("queued", "training", "evaluating")
RUNNING = ("training", "evaluating")
MAX_TRIALS = 50
LIST_LIMIT = 20


class JobGone(Exception):
    """The job is no longer running (failed meanwhile: timed out, or its runner stopped)."""


def job_out(job: RetrainJob) -> dict:
    return {
        "id": job.id,
        "model": job.model_name,
        "status": job.status,
        "trigger": job.trigger,
        "requested_by": job.requested_by,
        "params": job.params or {},
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "progress": job.progress or "",
        "error": job.error,
        "version": job.version,
        "result": job.result,
    }


def actor_of(job: RetrainJob) -> str:
    return job.requested_by or job.trigger


def resolve_params(params: dict | None, settings: Settings) -> dict:
    """A job's parameters with the settings' defaults filled in; ``ValueError`` names a bad one."""
    params = dict(params or {})
    trials = params.get("trials", settings.retrain_trials)
    minutes = params.get("window_minutes", settings.retrain_window_minutes)
    if isinstance(trials, bool) or not isinstance(trials, int) or not 0 <= trials <= MAX_TRIALS:
        raise ValueError(f"params.trials must be a whole number from 0 to {MAX_TRIALS} (got {trials!r})")
    number = isinstance(minutes, int | float) and not isinstance(minutes, bool)
    if not (number and math.isfinite(minutes) and minutes > 0):
        raise ValueError(f"params.window_minutes must be a number above 0 (got {minutes!r})")
    return {**params, "trials": trials, "window_minutes": float(minutes)}


def options_for(params: dict, settings: Settings, now: datetime | None = None) -> Options:
    return Options(
        trials=params["trials"],
        window=default_window(params["window_minutes"], now),
        reference_share=settings.retrain_reference_share,
        holdout_share=settings.retrain_holdout_share,
        min_labels=settings.retrain_min_labels,
        max_rows=settings.retrain_max_rows,
        search_timeout_s=settings.retrain_search_timeout_s,
    )


# --- Asking for a retrain ---------------------------------------------------------------------


def active_job(session: Session, name: str) -> RetrainJob | None:
    query = select(RetrainJob).where(RetrainJob.model_name == name, RetrainJob.status.in_(ACTIVE))
    return session.scalars(query.order_by(RetrainJob.created_at.desc()).limit(1)).first()


def request_retrain(
    session: Session,
    name: str,
    *,
    settings: Settings,
    requested_by: str,
    trials: int | None = None,
    window_minutes: float | None = None,
    trigger: str = "manual",
    start_now: bool = False,
) -> RetrainJob:
    """Queue a retrain of ``name`` in the caller's transaction: ``NotFound`` for an unknown model,
    ``Conflict`` when a job of it is queued or running or it has no champion, ``TooFewLabels``
    (a ``Conflict``) when its window does not hold enough labelled predictions right now.
    ``start_now``: the job is created claimed (training) by the caller, which runs it (the CLI)."""
    registered_model(session, name, lock=True)
    champion_of(session, name)
    running = active_job(session, name)
    if running is not None:
        raise Conflict(
            f"retrain job {running.id} of {name} is already {running.status}: "
            f"GET /api/v1/models/{name}/retrain/{running.id} follows it",
            job_id=running.id,
        )
    params = resolve_params(
        {
            "trials": settings.retrain_trials if trials is None else trials,
            "window_minutes": settings.retrain_window_minutes if window_minutes is None else window_minutes,
        },
        settings,
    )
    window = default_window(params["window_minutes"])
    counts = data.label_counts(session, name, window, settings.retrain_holdout_share, settings.retrain_max_rows)
    data.check_enough(counts, name, window, settings.retrain_min_labels)
    job = RetrainJob(
        model_name=name,
        status="queued",
        trigger=trigger,
        requested_by=requested_by[:64],
        params=params,
        created_at=utcnow(),
        progress="queued",
    )
    session.add(job)
    session.flush()
    stages.record_event(
        session,
        name,
        "retrain_queued",
        f"retrain job {job.id} queued ({params['trials']} trials, the last {params['window_minutes']:g} minutes "
        f"of labelled traffic: {counts.n} predictions)",
        actor=requested_by,
        details={"job_id": job.id, "trigger": trigger, "params": params, "labels": counts.as_dict()},
    )
    if start_now:
        job.status, job.started_at, job.progress = "training", utcnow(), "starting"
        _started(session, job)
    return job


def list_jobs(session: Session, name: str, limit: int = LIST_LIMIT) -> list[RetrainJob]:
    registered_model(session, name)
    query = select(RetrainJob).where(RetrainJob.model_name == name)
    return list(session.scalars(query.order_by(RetrainJob.created_at.desc(), RetrainJob.id.desc()).limit(limit)))


def get_job(session: Session, name: str, job_id: int) -> RetrainJob:
    registered_model(session, name)
    job = session.get(RetrainJob, job_id)
    if job is None or job.model_name != name:
        raise NotFound(f"model {name!r} has no retrain job {job_id}: GET /api/v1/models/{name}/retrain lists them")
    return job


# --- Claiming, failing ------------------------------------------------------------------------


def _transition(session: Session, job_id: int, statuses: tuple[str, ...], **values: Any) -> bool:
    """Update the job if its status is one of ``statuses`` (a conditional UPDATE: one writer wins)."""
    statement = (
        update(RetrainJob)
        .where(RetrainJob.id == job_id, RetrainJob.status.in_(statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult, session.execute(statement)).rowcount == 1


def claim(factory: sessionmaker[Session], job_id: int) -> bool:
    """queued → training, if still queued (the one process whose update matched runs it)."""
    with factory.begin() as session:
        if not _transition(session, job_id, ("queued",), status="training", started_at=utcnow(), progress="starting"):
            return False
        job = session.get(RetrainJob, job_id)
        assert job is not None
        _started(session, job)
        return True


def _started(session: Session, job: RetrainJob) -> None:
    stages.record_event(
        session,
        job.model_name,
        "retrain_started",
        f"retrain job {job.id} started ({job.trigger})",
        actor=actor_of(job),
        details={"job_id": job.id, "params": job.params},
    )


def claim_next(factory: sessionmaker[Session]) -> int | None:
    """Claim the oldest queued job of a model that has no job running; its id, or None."""
    with factory() as session:
        running = select(RetrainJob.model_name).where(RetrainJob.status.in_(RUNNING))
        queued = (
            select(RetrainJob.id)
            .where(RetrainJob.status == "queued", RetrainJob.model_name.not_in(running))
            .order_by(RetrainJob.created_at, RetrainJob.id)
            .limit(10)
        )
        candidates = list(session.scalars(queued))
    for job_id in candidates:
        if claim(factory, job_id):
            return job_id
    return None


def fail(
    factory: sessionmaker[Session],
    job_id: int,
    reason: str,
    *,
    statuses: tuple[str, ...] = RUNNING,
    result: dict | None = None,
) -> bool:
    """Mark the job failed with ``reason`` if it is in one of ``statuses``; False when it is not."""
    with factory.begin() as session:
        values: dict[str, Any] = {"status": "failed", "error": reason, "finished_at": utcnow(), "progress": "failed"}
        if result is not None:
            values["result"] = result
        if not _transition(session, job_id, statuses, **values):
            return False
        job = session.get(RetrainJob, job_id)
        assert job is not None
        stages.record_event(
            session,
            job.model_name,
            "retrain_failed",
            f"retrain job {job.id} failed: {reason}",
            actor=actor_of(job),
            details={"job_id": job.id, "reason": reason},
        )
    log.warning("retrain job %s failed: %s", job_id, reason)
    return True


def fail_stale(factory: sessionmaker[Session], timeout_s: float) -> list[int]:
    """Fail every job training or evaluating for longer than ``timeout_s`` (whoever ran it)."""
    cutoff = utcnow() - timedelta(seconds=timeout_s)
    with factory() as session:
        stale = list(
            session.scalars(select(RetrainJob.id).where(RetrainJob.status.in_(RUNNING), RetrainJob.started_at < cutoff))
        )
    reason = f"timed out: still running after RETRAIN_TIMEOUT_S ({timeout_s:g} s)"
    return [job_id for job_id in stale if fail(factory, job_id, reason, result={"failure": "timeout"})]


# --- Running a job ----------------------------------------------------------------------------


class JobReporter(Reporter):
    """Progress and the evaluating transition, committed at once; ``JobGone`` once the job stopped running."""

    def __init__(self, factory: sessionmaker[Session], job_id: int, echo: Callable[[str], None] | None = None):
        self.factory, self.job_id, self.echo = factory, job_id, echo

    def _set(self, **values: Any) -> None:
        with self.factory.begin() as session:
            if not _transition(session, self.job_id, RUNNING, **values):
                raise JobGone(f"retrain job {self.job_id} is no longer running")

    def progress(self, text: str) -> None:
        self._set(progress=text)
        if self.echo:
            self.echo(text)

    def evaluating(self, text: str) -> None:
        self._set(status="evaluating", progress=text)
        if self.echo:
            self.echo(text)


def register(factory: sessionmaker[Session], job_id: int, outcome: Outcome) -> str:
    """Save the challenger in shadow and mark the job registered, in one transaction."""
    prepared = outcome.prepared
    with factory.begin() as session:
        registered = _transition(
            session,
            job_id,
            ("evaluating",),
            status="registered",
            finished_at=utcnow(),
            version=prepared.version,
            result=outcome.result,
            progress=f"registered {prepared.version} in shadow",
        )
        if not registered:
            raise JobGone(f"retrain job {job_id} is no longer evaluating")
        job = session.get(RetrainJob, job_id)
        assert job is not None
        actor = actor_of(job)
        registration.save(session, prepared, stage="shadow", actor=actor)
        holdout = outcome.result["holdout"]
        stages.record_event(
            session,
            job.model_name,
            "retrain_registered",
            outcome.message,
            version=prepared.version,
            actor=actor,
            details={
                "job_id": job_id,
                "champion": outcome.result["champion"],
                "challenger_roc_auc": holdout["challenger_roc_auc"],
                "champion_roc_auc": holdout["champion_roc_auc"],
                "holdout_rows": holdout["rows"],
            },
        )
    return prepared.version


def run_job(
    factory: sessionmaker[Session],
    job_id: int,
    settings: Settings,
    echo: Callable[[str], None] | None = None,
) -> RetrainJob:
    """Run one job to its end (claiming it first if it is still queued); returns its final row.
    ``JobGone`` when it stopped running meanwhile (nothing registered)."""
    with factory() as session:
        job = session.get(RetrainJob, job_id)
        if job is None:
            raise NotFound(f"no retrain job {job_id}")
        status, name, params = job.status, job.model_name, job.params
    if status == "queued" and not claim(factory, job_id):
        raise JobGone(f"retrain job {job_id} was claimed by another runner")
    if status not in ("queued", *RUNNING):
        raise JobGone(f"retrain job {job_id} is {status}, not queued or running")
    try:
        resolved = resolve_params(params, settings)
    except ValueError as exc:  # a job queued by the policy with parameters out of bounds
        fail(factory, job_id, str(exc), result={"failure": "refused"})
        return _final(factory, job_id)
    if resolved != params:  # a job queued by the policy (params {}) shows what it runs with
        with factory.begin() as session:
            if not _transition(session, job_id, RUNNING, params=resolved):
                raise JobGone(f"retrain job {job_id} is no longer running")
    try:
        outcome = retrain(
            factory, name, options_for(resolved, settings), JobReporter(factory, job_id, echo), job_id=job_id
        )
        register(factory, job_id, outcome)
    except JobGone:
        raise
    except registration.RegistrationError as exc:
        fail(factory, job_id, f"the registry refused the challenger: {exc.detail}", result={"failure": "error"})
    except DomainError as exc:  # too few labels, no champion, the model deleted …
        fail(factory, job_id, exc.detail, result={"failure": "refused", **exc.extra})
    except Exception as exc:
        log.exception("retrain job %s", job_id)
        fail(factory, job_id, f"{type(exc).__name__}: {str(exc)[:500]}", result={"failure": "error"})
    return _final(factory, job_id)


def _final(factory: sessionmaker[Session], job_id: int) -> RetrainJob:
    with factory() as session:
        final = session.get(RetrainJob, job_id)
        assert final is not None
        return final
