"""Monitoring results written by the worker: drift per feature, summaries, performance."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from app.api.deps import SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.common import UtcDatetime
from app.schemas.monitoring import DriftOut, HistoryOut, PerformanceOut, SummaryOut
from app.services import monitoring

router = ModelRoutes(tags=["monitoring"])

Since = Query(None, description="ISO-8601 start of the series (default: the last hour); without an offset it is UTC.")
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No such model (or feature)."}}


@router.model_get("/drift", response_model=DriftOut, responses=_UNKNOWN)
def get_drift(name: ModelName, session: SessionDep):
    """The latest cycle's drift per feature and for the score: tests, severity, sample sizes, histograms."""
    return monitoring.drift(session, name)


@router.model_get("/drift/summary", response_model=SummaryOut, responses=_UNKNOWN)
def get_drift_summary(name: ModelName, session: SessionDep):
    """Dataset drift (with its rule), the drifted features and prediction drift."""
    return monitoring.summary(session, name)


@router.model_get("/drift/history", response_model=HistoryOut, responses=_UNKNOWN)
def get_drift_history(
    name: ModelName, session: SessionDep, feature: str = Query(..., min_length=1), since: UtcDatetime | None = Since
):
    """PSI, test statistic and p-value of one feature (or the score) per cycle."""
    return {"feature": feature, "points": monitoring.history(session, name, feature, since)}


@router.model_get("/performance", response_model=PerformanceOut, responses=_UNKNOWN)
def get_performance(name: ModelName, session: SessionDep, since: UtcDatetime | None = Since):
    """Realized (from labels) and estimated (from scores) performance series."""
    return monitoring.performance(session, name, since)
