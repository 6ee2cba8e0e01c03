"""Live traffic statistics: counts, rates and latency percentiles."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import numpy as np
from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from app.models import Prediction, utcnow

WINDOW_S = 60


def compute_stats(session: Session) -> dict:
    now = utcnow()
    since = now - timedelta(seconds=WINDOW_S)
    total, total_fraud = session.execute(
        select(func.count(), func.coalesce(func.sum(func.cast(Prediction.is_fraud, Integer)), 0))
    ).one()
    recent = session.execute(
        select(Prediction.latency_ms, Prediction.is_fraud).where(Prediction.created_at >= since)
    ).all()
    latency = np.array([r[0] for r in recent], dtype=float)
    fraud_recent = sum(1 for r in recent if r[1])

    def pct(q: float) -> float | None:
        return round(float(np.percentile(latency, q)), 3) if latency.size else None

    return {
        "as_of": now.isoformat(),
        "total_predictions": int(total),
        "total_fraud": int(total_fraud),
        "window_seconds": WINDOW_S,
        "last_minute": {
            "count": len(recent),
            "per_second": round(len(recent) / WINDOW_S, 3),
            "fraud_rate": round(fraud_recent / len(recent), 5) if recent else None,
            "latency_ms": {"p50": pct(50), "p95": pct(95), "p99": pct(99)},
        },
        "fraud_rate": round(int(total_fraud) / int(total), 5) if total else None,
    }


class StatsCache:
    """Serve one computation per ``ttl_s`` to every caller (REST and WebSocket)."""

    def __init__(self, ttl_s: float = 1.0) -> None:
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._value: dict | None = None
        self._at = 0.0

    def get(self, session: Session) -> dict:
        with self._lock:
            if self._value is None or time.monotonic() - self._at >= self._ttl:
                self._value, self._at = compute_stats(session), time.monotonic()
            return self._value
