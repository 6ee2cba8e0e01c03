"""Live traffic statistics of a model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.api.deps import RuntimeDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.registry.lookup import registered_model
from app.schemas.stats import StatsHistoryOut, StatsOut
from app.services.stats import current_stats, stats_history

router = ModelRoutes(tags=["stats"])

_UNKNOWN = {404: {"description": "No such model."}}


@router.model_get("/stats", response_model=StatsOut, responses=_UNKNOWN)
def get_stats(name: ModelName, session: SessionDep, runtime: RuntimeDep):
    """Total predictions, the last minute's rate, positive rate and latency p50/p95/p99."""
    registered_model(session, name)
    return current_stats(session, runtime.stats, runtime.writer.pending, name, runtime.served_version(name))


@router.model_get("/stats/history", response_model=StatsHistoryOut, responses=_UNKNOWN)
def get_stats_history(
    name: ModelName,
    session: SessionDep,
    minutes: Annotated[int, Query(ge=1, le=30, description="How far back")] = 10,
    step_seconds: Annotated[int, Query(ge=5, le=300, description="Seconds between points")] = 10,
):
    """The last-minute figures of `/stats` as they were every `step_seconds` over the last `minutes`."""
    registered_model(session, name)
    return stats_history(session, name, minutes, step_seconds)
