"""Alerts raised by the monitoring worker and their open → acknowledged → resolved lifecycle."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Query

from app.api.deps import SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.monitoring import AlertOut, AlertsOut
from app.services import monitoring

router = ModelRoutes(tags=["alerts"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown alert id."},
    409: {"description": "The alert's status does not allow this transition."},
}


@router.model_get("/alerts", response_model=AlertsOut, responses={404: {"description": "No such model."}})
def list_alerts(
    name: ModelName,
    session: SessionDep,
    status: Literal["open", "acknowledged", "resolved"] | None = None,
    limit: int = Query(100, ge=1, le=1000),
):
    """The model's alerts, newest first, optionally of one status; with the count per status (acknowledge and
    resolve them by id)."""
    return monitoring.alerts(session, name, status, limit)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertOut, responses=_ERRORS)
def acknowledge_alert(alert_id: int, session: SessionDep):
    """Mark an open alert as seen; the worker keeps it until the condition clears."""
    return monitoring.transition(session, alert_id, "acknowledge")


@router.post("/alerts/{alert_id}/resolve", response_model=AlertOut, responses=_ERRORS)
def resolve_alert(alert_id: int, session: SessionDep):
    """Close an open or acknowledged alert (it reopens if the condition still holds)."""
    return monitoring.transition(session, alert_id, "resolve")
