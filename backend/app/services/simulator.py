"""The traffic simulator's control row: what it should run, read and switched here.

One row (id 1) holds the scenario, its resolved params and the rate; the
simulator polls it. ``state`` is what ``GET /simulator`` and the live
channel's ``simulator`` message say (``driftwatch_core.scenarios.SimulatorState``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from driftwatch_core.db.models import DEFAULT_MODEL, SimulatorControl, utcnow
from driftwatch_core.scenarios import SCENARIOS, SimulatorUpdate
from driftwatch_core.stages import record_event


def state(row: SimulatorControl | None) -> dict:
    """The simulator's state for the control row (``None`` before the first switch)."""
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


def control_row(session: Session) -> SimulatorControl | None:
    return session.get(SimulatorControl, 1)


def current(session: Session) -> dict:
    return state(control_row(session))


def _store(session: Session, update: SimulatorUpdate, params: dict[str, Any], actor: str) -> SimulatorControl:
    row = session.get(SimulatorControl, 1, with_for_update=True)
    switched = row is None or (row.scenario, row.params) != (update.scenario, params)
    if row is None:
        row = SimulatorControl(id=1, scenario=update.scenario, params=params, rps=update.rps, updated_at=utcnow())
        session.add(row)
    else:
        # Re-sending the active scenario (or changing only the rate) keeps its clock.
        if switched:
            row.scenario, row.params, row.updated_at = update.scenario, params, utcnow()
        if "rps" in update.model_fields_set:
            row.rps = update.rps
    if switched:  # on the timeline: every chart marks when the traffic changed
        label = SCENARIOS[update.scenario].label
        record_event(
            session,
            DEFAULT_MODEL,
            "scenario",
            f"Traffic: {label}",
            actor=actor,
            details={"scenario": update.scenario, "label": label, "params": params},
        )
    session.commit()
    return row


def switch(session: Session, update: SimulatorUpdate, params: dict[str, Any], actor: str = "") -> dict:
    """Store the scenario with its resolved ``params`` (an omitted rps keeps the rate); a new
    scenario is an event on the timeline (``scenario``)."""
    try:
        row = _store(session, update, params, actor)
    except IntegrityError:  # a concurrent first switch created the row: update it instead
        session.rollback()
        row = _store(session, update, params, actor)
    return state(row)
