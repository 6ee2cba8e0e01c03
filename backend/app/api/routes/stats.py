"""Live traffic statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import SessionDep, StateDep
from app.services.stats import stats_history

router = APIRouter(tags=["stats"])


@router.get("/stats")
def stats(session: SessionDep, state: StateDep) -> dict:
    """Total predictions, the last minute's rate, fraud rate and latency p50/p95/p99."""
    result = dict(state.stats.get(session))
    result["pending_writes"] = state.writer.pending
    result["model_version"] = state.model.version if state.model else None
    return result


@router.get("/stats/history")
def history(
    session: SessionDep,
    minutes: Annotated[int, Query(ge=1, le=30, description="How far back")] = 10,
    step_seconds: Annotated[int, Query(ge=5, le=300, description="Seconds between points")] = 10,
) -> dict:
    """The last-minute figures of `/stats` as they were every `step_seconds` over the last `minutes`."""
    return stats_history(session, minutes, step_seconds)
