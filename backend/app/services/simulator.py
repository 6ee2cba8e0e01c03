"""The traffic simulator's control row: what it should run, and for which model, read and switched here.

One row (id 1) holds the scenario, its resolved params, the rate and the model the
traffic goes to (none stored: the backend's default model); the simulator polls it.
``state`` is what ``GET /simulator`` and the live channel's ``simulator`` message say
(``driftwatch_core.scenarios.SimulatorState``). A scenario switch is an event of the
model the traffic goes to, so its charts mark it and its incidents date their cause from it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.registry.lookup import registered_model
from driftwatch_core.db.models import SimulatorControl, utcnow
from driftwatch_core.scenarios import SCENARIOS, SimulatorUpdate
from driftwatch_core.stages import record_event


def state(row: SimulatorControl | None, default_model: str) -> dict:
    """The simulator's state for the control row (``None`` before the first switch)."""
    started = row.updated_at if row else None  # aware UTC: models.Timestamp
    return {
        "model": (row.model if row else None) or default_model,
        "scenario": row.scenario if row else "none",
        "params": row.params if row else {},
        "rps": row.rps if row else None,
        "updated_at": started,
        "started_at": started,
        "elapsed_s": (utcnow() - started).total_seconds() if started else None,
        "scenarios": list(SCENARIOS.values()),
    }


def control_row(session: Session) -> SimulatorControl | None:
    return session.get(SimulatorControl, 1)


def current(session: Session, default_model: str) -> dict:
    return state(control_row(session), default_model)


def _store(
    session: Session, update: SimulatorUpdate, params: dict[str, Any], actor: str, default_model: str
) -> SimulatorControl:
    row = session.get(SimulatorControl, 1, with_for_update=True)
    model = update.model or (row.model if row else None) or default_model
    switched = row is None or (row.scenario, row.params, row.model or default_model) != (update.scenario, params, model)
    if row is None:
        row = SimulatorControl(
            id=1, scenario=update.scenario, params=params, rps=update.rps, updated_at=utcnow(), model=update.model
        )
        session.add(row)
    else:
        # Re-sending the active scenario (or changing only the rate) keeps its clock.
        if switched:
            row.scenario, row.params, row.updated_at = update.scenario, params, utcnow()
            if update.model is not None:
                row.model = update.model
        if "rps" in update.model_fields_set:
            row.rps = update.rps
    if switched:  # on the model's timeline: every chart marks when its traffic changed
        label = SCENARIOS[update.scenario].label
        record_event(
            session,
            model,
            "scenario",
            f"Traffic: {label}",
            actor=actor,
            details={"scenario": update.scenario, "label": label, "params": params},
        )
    session.commit()
    return row


def switch(
    session: Session, update: SimulatorUpdate, params: dict[str, Any], default_model: str, actor: str = ""
) -> dict:
    """Store the scenario with its resolved ``params`` (an omitted rps keeps the rate, an omitted
    model the model); a new scenario is an event on that model's timeline (``scenario``).
    ``NotFound`` for a model that is not registered."""
    if update.model is not None:
        registered_model(session, update.model)
    try:
        row = _store(session, update, params, actor, default_model)
    except IntegrityError:  # a concurrent first switch created the row: update it instead
        session.rollback()
        row = _store(session, update, params, actor, default_model)
    return state(row, default_model)
