"""Monitoring results written by the worker: drift per feature, summaries, performance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from app.api.deps import SessionDep
from app.schemas.common import UtcDatetime
from app.schemas.monitoring import DriftOut, HistoryOut, PerformanceOut, SummaryOut
from app.services import monitoring

router = APIRouter(tags=["monitoring"])

Since = Query(None, description="ISO-8601 start of the series (default: the last hour); without an offset it is UTC.")


@router.get("/drift", response_model=DriftOut)
def get_drift(session: SessionDep):
    """Latest drift per feature and for the score: tests, severity, sample sizes, histograms."""
    return monitoring.drift(session)


@router.get("/drift/summary", response_model=SummaryOut)
def get_drift_summary(session: SessionDep):
    """Dataset drift (with its rule), the drifted features and prediction drift."""
    return monitoring.summary(session)


@router.get(
    "/drift/history", response_model=HistoryOut, responses={404: {"description": "The feature is not monitored."}}
)
def get_drift_history(session: SessionDep, feature: str = Query(..., min_length=1), since: UtcDatetime | None = Since):
    """PSI, test statistic and p-value of one feature (or fraud_probability) per cycle."""
    return {"feature": feature, "points": monitoring.history(session, feature, since)}


@router.get("/performance", response_model=PerformanceOut)
def get_performance(session: SessionDep, since: UtcDatetime | None = Since):
    """Realized (from labels) and estimated (from scores) performance series."""
    return monitoring.performance(session, since)


# --- The same reads for any registered model (the unscoped routes are the fraud model's) ---

ModelName = Annotated[str, Path(description="A registered model's name (`GET /api/v1/models`).")]
_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No such model (or feature)."}}


@router.get("/models/{name}/drift", response_model=DriftOut, responses=_UNKNOWN)
def get_model_drift(name: ModelName, session: SessionDep):
    """`/drift` of one registered model: its latest cycle's drift per feature and for its score."""
    return monitoring.drift(session, model=name)


@router.get("/models/{name}/drift/summary", response_model=SummaryOut, responses=_UNKNOWN)
def get_model_drift_summary(name: ModelName, session: SessionDep):
    """`/drift/summary` of one registered model."""
    return monitoring.summary(session, model=name)


@router.get("/models/{name}/drift/history", response_model=HistoryOut, responses=_UNKNOWN)
def get_model_drift_history(
    name: ModelName, session: SessionDep, feature: str = Query(..., min_length=1), since: UtcDatetime | None = Since
):
    """`/drift/history` of one feature (or the score) of one registered model."""
    return {"feature": feature, "points": monitoring.history(session, feature, since, model=name)}


@router.get("/models/{name}/performance", response_model=PerformanceOut, responses=_UNKNOWN)
def get_model_performance(name: ModelName, session: SessionDep, since: UtcDatetime | None = Since):
    """`/performance` of one registered model."""
    monitoring.monitored(session, name)
    return monitoring.performance(session, since, model=name)
