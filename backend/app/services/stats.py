"""Live traffic statistics: counts, rates and latency percentiles.

The shapes are ``app.schemas.stats``; ``current_stats`` is what both
``GET /stats`` and the live channel's ``stats`` message say.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import numpy as np
from sqlalchemy import Float, Integer, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from driftwatch_core.db.models import Prediction, utcnow

WINDOW_S = 60


class epoch_seconds(FunctionElement):  # noqa: N801 - used like a SQL function
    """Seconds since 1970 of a UTC timestamp column, computed by the database
    (converting tens of thousands of datetimes in Python costs more than the query)."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_seconds(element, compiler, **kw) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS DOUBLE PRECISION)"


@compiles(epoch_seconds, "sqlite")
def _epoch_seconds_sqlite(element, compiler, **kw) -> str:  # stored as UTC wall time
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


def compute_stats(session: Session, model: str) -> dict:
    """One model's totals and last-minute figures."""
    now = utcnow()
    since = now - timedelta(seconds=WINDOW_S)
    total, total_positive = session.execute(
        select(func.count(), func.coalesce(func.sum(func.cast(Prediction.is_fraud, Integer)), 0)).where(
            Prediction.model_name == model, Prediction.shadow_of.is_(None)
        )
    ).one()
    recent = session.execute(
        select(Prediction.latency_ms, Prediction.is_fraud).where(
            Prediction.model_name == model, Prediction.shadow_of.is_(None), Prediction.created_at >= since
        )
    ).all()
    return {
        "as_of": now,
        "total_predictions": int(total),
        "total_positive": int(total_positive),
        "window_seconds": WINDOW_S,
        "last_minute": window_figures(
            np.array([r[0] for r in recent], dtype=float), np.array([r[1] for r in recent], dtype=bool)
        ),
        "positive_rate": round(int(total_positive) / int(total), 5) if total else None,
    }


def window_figures(latency: np.ndarray, positive: np.ndarray) -> dict:
    """Count, rate, positive rate and latency percentiles of one ``WINDOW_S`` window."""

    def pct(q: float) -> float | None:
        return round(float(np.percentile(latency, q)), 3) if latency.size else None

    return {
        "count": int(latency.size),
        "per_second": round(latency.size / WINDOW_S, 3),
        "positive_rate": round(float(positive.mean()), 5) if positive.size else None,
        "latency_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99)},
    }


def stats_history(session: Session, model: str, minutes: int, step_s: int) -> dict:
    """The last-minute figures as they were every ``step_s`` over the last ``minutes``.

    Each point is what ``GET /stats`` said then (a trailing ``WINDOW_S`` window), so
    the dashboard can draw the recent past on load and continue it with live points.
    One indexed range read; the windows are cut from it with binary search.
    """
    now = utcnow()
    ends = [now - timedelta(seconds=k * step_s) for k in range(minutes * 60 // step_s, -1, -1)]
    rows = (
        session.connection()
        .execute(  # Core rows: no ORM processing per row
            select(epoch_seconds(Prediction.created_at), Prediction.latency_ms, Prediction.is_fraud)
            .where(
                Prediction.model_name == model,
                Prediction.shadow_of.is_(None),
                Prediction.created_at >= ends[0] - timedelta(seconds=WINDOW_S),
            )
            .order_by(Prediction.created_at)
        )
        .all()
    )
    table = np.array(rows, dtype=float).reshape(-1, 3)  # the decision is NOT NULL: 0.0 / 1.0
    at, latency, positive = table[:, 0], table[:, 1], table[:, 2].astype(bool)
    points = []
    for end in ends:
        hi = int(np.searchsorted(at, end.timestamp(), side="right"))
        lo = int(np.searchsorted(at, end.timestamp() - WINDOW_S, side="left"))
        points.append({"as_of": end, "last_minute": window_figures(latency[lo:hi], positive[lo:hi])})
    return {"window_seconds": WINDOW_S, "step_seconds": step_s, "points": points}


def current_stats(
    session: Session, cache: StatsCache, pending_writes: int, model: str, model_version: str | None
) -> dict:
    """The cached figures of ``model`` with what this replica adds: its unstored writes and the champion."""
    return {
        **cache.get(session, model),
        "pending_writes": pending_writes,
        "model": model,
        "model_version": model_version,
    }


class StatsCache:
    """Serve one computation per ``ttl_s`` and model to every caller (REST and WebSocket)."""

    def __init__(self, ttl_s: float = 1.0) -> None:
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, dict]] = {}

    def get(self, session: Session, model: str) -> dict:
        with self._lock:
            at, value = self._values.get(model, (0.0, {}))
            if not value or time.monotonic() - at >= self._ttl:
                value = compute_stats(session, model)
                self._values[model] = (time.monotonic(), value)
            return value
