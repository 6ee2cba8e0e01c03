"""Run-time control of the traffic simulator: the active scenario, its params and rate."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.api.deps import SessionDep
from app.models import SimulatorControl, utcnow
from app.schemas.simulator import SCENARIOS, SimulatorState, SimulatorUpdate, resolve_params

router = APIRouter(tags=["simulator"])


def simulator_state(row: SimulatorControl | None) -> dict:
    """The body of GET /simulator for the control row (``None`` before any PUT)."""
    started = row.updated_at if row else None  # aware UTC: models.Timestamp
    return {
        "scenario": row.scenario if row else "none",
        "params": row.params if row else {},
        "rps": row.rps if row else None,
        "updated_at": started,
        "started_at": started,
        "elapsed_s": (utcnow() - started).total_seconds() if started else None,
        "scenarios": list(SCENARIOS.values()),
    }


def _store(session: Session, body: SimulatorUpdate, params: dict) -> SimulatorControl:
    row = session.get(SimulatorControl, 1, with_for_update=True)
    if row is None:
        row = SimulatorControl(id=1, scenario=body.scenario, params=params, rps=body.rps,
                               updated_at=utcnow())
        session.add(row)
    else:
        # Re-sending the active scenario (or changing only the rate) keeps its clock.
        if (row.scenario, row.params) != (body.scenario, params):
            row.scenario, row.params, row.updated_at = body.scenario, params, utcnow()
        if "rps" in body.model_fields_set:
            row.rps = body.rps
    session.commit()
    return row


@router.get("/simulator", response_model=SimulatorState)
def get_simulator(session: SessionDep):
    """The active traffic scenario, its parameters and rate, and the scenario catalogue."""
    return simulator_state(session.get(SimulatorControl, 1))


@router.put(
    "/simulator",
    response_model=SimulatorState,
    responses={422: {"description": "Unknown scenario, or an unknown or out-of-range param."}},
)
def put_simulator(body: SimulatorUpdate, session: SessionDep):
    """Switch the simulator to a scenario (it follows within a few seconds)."""
    try:
        params = resolve_params(body.scenario, body.params)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "params", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from exc
    try:
        row = _store(session, body, params)
    except IntegrityError:  # a concurrent first PUT created the row: update it instead
        session.rollback()
        row = _store(session, body, params)
    return simulator_state(row)
