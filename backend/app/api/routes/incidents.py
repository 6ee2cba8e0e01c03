"""Incidents: a model's alerts grouped by cause, acknowledged and resolved as one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Query

from app.api.deps import ActorDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.incidents import IncidentOut, IncidentsOut
from app.services import incidents

router = ModelRoutes(tags=["incidents"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown incident id."},
    409: {"description": "The incident's status does not allow this transition."},
}
StatusFilter = Literal["open", "acknowledged", "resolved", "active"]
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many incidents.")]
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="An incident's id.")]
_STATUS = "One status, or `active` (open or acknowledged)."


@router.model_get("/incidents", response_model=IncidentsOut, responses={404: {"description": "No such model."}})
def list_incidents(
    name: ModelName,
    session: SessionDep,
    status: Annotated[StatusFilter | None, Query(description=_STATUS)] = None,
    limit: Limit = 50,
):
    """The model's incidents, newest first, with the count per status."""
    return incidents.incidents(session, name, status, limit)


@router.get("/incidents/{incident_id}", response_model=IncidentOut, responses={404: _ERRORS[404]})
def get_incident(incident_id: IncidentId, session: SessionDep):
    """One incident with its alerts."""
    return incidents.incident(session, incident_id)


@router.post("/incidents/{incident_id}/acknowledge", response_model=IncidentOut, responses=_ERRORS)
def acknowledge_incident(incident_id: IncidentId, session: SessionDep, actor: ActorDep):
    """Mark an open incident and its open alerts as seen; the worker keeps them until the cause clears."""
    return incidents.transition(session, incident_id, "acknowledge", actor)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentOut, responses=_ERRORS)
def resolve_incident(incident_id: IncidentId, session: SessionDep, actor: ActorDep):
    """Close an incident and all its unresolved alerts (a cause that still holds opens a new one)."""
    return incidents.transition(session, incident_id, "resolve", actor)
