"""Monitoring results written by the worker: drift per feature, summaries, performance."""

from __future__ import annotations

from fastapi import APIRouter, Query

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
