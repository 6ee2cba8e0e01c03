"""A model's cycle in the database: its slot claimed, its results stored, its failure marked.

Each model's cycle belongs to a slot (the cycle's start floored to the
interval); ``monitoring_runs`` is unique per (model, slot), so when several
workers share a database the first to insert a model's slot computes it and
the others skip it (``claim``). ``store_results`` writes what the cycle judged
(a ``drift_results`` row per feature and the score, a ``performance_results``
row per kind) and finishes the run, in the caller's transaction: the cycle
raises its alerts and groups its incidents in the same one. ``mark_failed``
keeps a failed cycle's traceback in its run.
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from driftwatch_core.db.models import DriftResult, MonitoringRun, PerformanceResult
from worker.results import CycleResult

#: The databases ``driftwatch_core.db.engine.make_engine`` supports, each with its ON CONFLICT insert.
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def slot_of(now: datetime, interval_s: float) -> datetime:
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % interval_s, UTC)


def _insert_ignoring_conflict(conn: Connection, table, values: dict, conflict: list[str]):
    dialect = _DIALECTS[conn.dialect.name]
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return conn.execute(stmt.returning(table.c.id)).scalar()


def claim(
    engine: Engine, model: str, now: datetime, interval_s: float, window_start: datetime, details: dict
) -> int | None:
    """The run of ``model``'s slot at ``now``; None when another worker already claimed it."""
    values = dict(
        model_name=model,
        slot=slot_of(now, interval_s),
        started_at=now,
        window_start=window_start,
        window_end=now,
        n_rows=0,
        status="running",
        details=details,
    )
    with engine.begin() as conn:
        return _insert_ignoring_conflict(conn, MonitoringRun.__table__, values, ["model_name", "slot"])


def store_results(
    session: Session, result: CycleResult, now: datetime, window_start: datetime, label_start: datetime
) -> None:
    """The cycle's drift and performance results, and its run finished; the caller commits."""
    judged = [*result.drift, *([result.score] if result.score else [])]
    if judged:
        session.execute(
            insert(DriftResult),
            [
                dict(
                    run_id=result.run_id,
                    computed_at=now,
                    window_start=window_start,
                    window_end=now,
                    feature=r.feature,
                    feature_kind=r.kind,
                    test=r.test,
                    statistic=r.statistic,
                    p_value=r.p_value,
                    threshold=r.thresholds["alpha"],
                    drifted=r.drifted,
                    severity=r.severity,
                    n_reference=r.n_reference,
                    n_current=r.n_current,
                    details=r.details(),
                )
                for r in judged
            ],
        )
    for kind, metrics, start in (
        ("realized", result.realized, label_start),
        ("estimated", result.estimated, window_start),
    ):
        if metrics is not None:
            session.add(
                PerformanceResult(
                    run_id=result.run_id,
                    computed_at=now,
                    window_start=start,
                    window_end=now,
                    kind=kind,
                    n_rows=metrics["n_rows"],
                    metrics=metrics,
                )
            )
    session.execute(
        update(MonitoringRun)
        .where(MonitoringRun.id == result.run_id)
        .values(
            finished_at=datetime.now(UTC),
            n_rows=result.n_rows,
            status=result.status,
            model_version=result.version,
            dataset_drift=result.dataset.drifted if result.dataset else None,
            drift_share=result.dataset.share if result.dataset else None,
            prediction_drift=result.score.drifted if result.score else None,
        )
    )


def mark_failed(engine: Engine, run_id: int, version: str | None, exc: BaseException) -> None:
    """The run marked failed, with the traceback (its last 4,000 characters)."""
    with engine.begin() as conn:
        conn.execute(
            update(MonitoringRun)
            .where(MonitoringRun.id == run_id)
            .values(
                status="failed",
                error="".join(traceback.format_exception(exc))[-4000:],
                finished_at=datetime.now(UTC),
                model_version=version,
            )
        )
