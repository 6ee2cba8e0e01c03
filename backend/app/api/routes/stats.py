"""Live traffic statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import SessionDep, StateDep
from app.schemas.stats import StatsHistoryOut, StatsOut
from app.services.stats import current_stats, stats_history

router = APIRouter(tags=["stats"])


@router.get("/stats", response_model=StatsOut)
def get_stats(session: SessionDep, state: StateDep):
    """Total predictions, the last minute's rate, fraud rate and latency p50/p95/p99."""
    return current_stats(session, state.stats, state.writer.pending, state.served_version())


@router.get("/stats/history", response_model=StatsHistoryOut)
def get_stats_history(
    session: SessionDep,
    minutes: Annotated[int, Query(ge=1, le=30, description="How far back")] = 10,
    step_seconds: Annotated[int, Query(ge=5, le=300, description="Seconds between points")] = 10,
):
    """The last-minute figures of `/stats` as they were every `step_seconds` over the last `minutes`."""
    return stats_history(session, minutes, step_seconds)


@router.get("/models/{name}/stats", response_model=StatsOut, responses={404: {"description": "No such model."}})
def get_model_stats(
    name: Annotated[str, Path(description="A registered model's name.")], session: SessionDep, state: StateDep
):
    """`/stats` of one registered model: its predictions, rate, positive rate and latency."""
    version = state.champion(name).version
    return current_stats(session, state.stats, state.writer.pending, version, model=name)
