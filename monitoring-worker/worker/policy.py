"""The retrain policy: queue a retraining when a model's champion keeps performing badly.

With ``RETRAIN_POLICY`` on, after each of a model's cycles: when the model's
last ``RETRAIN_AFTER_CYCLES`` finished cycles all judged its current champion
and each measured a realized ROC-AUC below ``RETRAIN_MIN_ROC_AUC`` (default:
``WORKER_MIN_ROC_AUC``) on at least ``WORKER_MIN_LABELS`` labelled rows, a
``retrain_jobs`` row is queued (trigger and requester ``policy``) with a
``retrain_queued`` event on the model's timeline, unless

- a job of the model is already queued, training or evaluating,
- a job of the model was created in the last ``RETRAIN_COOLDOWN_MINUTES``, or
- the model has a challenger (shadow or canary): a retrained version is being judged.

The streak is read from ``monitoring_runs`` and ``performance_results``, so it
survives restarts and is the same for every worker sharing the database; the
check and the insert are one transaction with the model's row locked (a row
another transaction holds is skipped until the next cycle: the cycle never
waits). The worker never trains: the backend runs queued jobs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from driftwatch_core import stages
from driftwatch_core.db.models import MonitoringRun, PerformanceResult, RegisteredModel, RetrainJob
from worker.config import WorkerSettings

log = logging.getLogger(__name__)
ACTIVE = ("queued", "training", "evaluating")


@dataclass(frozen=True)
class Streak:
    """The realized ROC-AUC of the model's last cycles (newest first) and the labels behind each."""

    run_ids: list[int]
    roc_auc: list[float]
    n_rows: list[int]


def bad_streak(engine: Engine, settings: WorkerSettings, model: str, version: str) -> Streak | None:
    """The last ``retrain_after_cycles`` finished cycles of ``model``, when every one judged
    ``version`` and measured a realized ROC-AUC below the floor on enough labels; else None."""
    n = settings.retrain_after_cycles
    with engine.connect() as conn:
        runs = conn.execute(
            select(MonitoringRun.id, MonitoringRun.model_version)
            .where(MonitoringRun.model_name == model, MonitoringRun.status != "running")
            .order_by(MonitoringRun.slot.desc())
            .limit(n)
        ).all()
        if len(runs) < n or any(r.model_version != version for r in runs):
            return None
        ids = [r.id for r in runs]
        realized: dict[int, dict] = {
            run_id: metrics
            for run_id, metrics in conn.execute(
                select(PerformanceResult.run_id, PerformanceResult.metrics).where(
                    PerformanceResult.run_id.in_(ids), PerformanceResult.kind == "realized"
                )
            )
        }
    aucs, rows = [], []
    for run_id in ids:
        metrics = realized.get(run_id) or {}
        auc, n_rows = metrics.get("roc_auc"), int(metrics.get("n_rows") or 0)
        if auc is None or n_rows < settings.min_labels or auc >= settings.retrain_floor:
            return None
        aucs.append(float(auc))
        rows.append(n_rows)
    return Streak(ids, aucs, rows)


def check(engine: Engine, settings: WorkerSettings, model: str, judged: str | None, now: datetime) -> int | None:
    """After ``model``'s cycle: queue a retraining when the policy says so; the job's id, else None.
    ``judged``: the version the cycle judged (the champion, or the version judged without one)."""
    if not settings.retrain_policy:
        return None
    with engine.connect() as conn:
        champion = conn.scalar(select(RegisteredModel.champion_version).where(RegisteredModel.name == model))
    version = champion or judged
    if version is None:
        return None
    streak = bad_streak(engine, settings, model, version)
    if streak is None:
        return None
    floor = settings.retrain_floor
    with Session(engine) as session, session.begin():
        row = session.scalar(
            select(RegisteredModel).where(RegisteredModel.name == model).with_for_update(skip_locked=True)
        )
        if row is None:
            log.info("%s: its row is locked by another transaction: the retrain policy waits a cycle", model)
            return None
        if (row.champion_version or judged) != version:
            return None
        if row.challenger_version and row.challenger_mode:
            log.debug("%s: %s is being judged as a challenger: no retraining queued", model, row.challenger_version)
            return None
        jobs = session.execute(
            select(RetrainJob.id, RetrainJob.status, RetrainJob.created_at).where(
                RetrainJob.model_name == model,
                (RetrainJob.status.in_(ACTIVE))
                | (RetrainJob.created_at > now - timedelta(minutes=settings.retrain_cooldown_minutes)),
            )
        ).all()
        if jobs:
            log.debug("%s: retrain job %s (%s) is recent or still running: none queued", model, *jobs[0][:2])
            return None
        why = (
            f"the realized ROC-AUC of {version} was below {floor:.3f} in the last {len(streak.roc_auc)} cycles "
            f"({', '.join(f'{a:.3f}' for a in reversed(streak.roc_auc))}, on at least {min(streak.n_rows)} labels)"
        )
        job = RetrainJob(
            model_name=model,
            status="queued",
            trigger="policy",
            requested_by="policy",
            params={},
            created_at=now,
            progress=f"queued by the retrain policy: {why}",
        )
        session.add(job)
        session.flush()
        stages.record_event(
            session,
            model,
            "retrain_queued",
            f"retraining queued (job {job.id}): {why}",
            version=version,
            actor="policy",
            details={
                "job_id": job.id,
                "roc_auc": list(reversed(streak.roc_auc)),
                "n_rows": list(reversed(streak.n_rows)),
                "run_ids": list(reversed(streak.run_ids)),
                "floor": floor,
                "cycles": settings.retrain_after_cycles,
            },
        )
        log.info("%s: retrain job %d queued by the policy: %s", model, job.id, why)
        return job.id
