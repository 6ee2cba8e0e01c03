"""Stage changes as the API makes them, the timeline's events, the champion-challenger comparison."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Conflict, NotFound
from driftwatch_core import stages
from driftwatch_core.db.models import ModelEvent, RegisteredModel, VersionComparison, utcnow


def stages_out(model: RegisteredModel) -> dict:
    return {
        "champion": model.champion_version,
        "challenger": model.challenger_version,
        "mode": model.challenger_mode,
        "share": model.canary_share,
        "previous_champion": model.previous_champion,
        "generation": model.generation,
        "changed_at": model.stage_changed_at,
    }


def event_out(event: ModelEvent) -> dict:
    return {
        "id": event.id,
        "created_at": event.created_at,
        "model": event.model_name,
        "kind": event.kind,
        "version": event.version,
        "actor": event.actor,
        "message": event.message,
        "details": event.details or {},
    }


def change(session: Session, name: str, act: Callable[[], ModelEvent]) -> dict:
    """Run one stage change (``act``, a ``driftwatch_core.stages`` call) and answer what it made."""
    try:
        event = act()
    except stages.UnknownModel as exc:
        raise NotFound(str(exc)) from None
    except stages.StageConflict as exc:
        raise Conflict(str(exc)) from None
    model = session.get(RegisteredModel, name)
    assert model is not None
    return {"model": name, "stages": stages_out(model), "event": event_out(event)}


def _model(session: Session, name: str) -> RegisteredModel:
    model = session.get(RegisteredModel, name)
    if model is None:
        raise NotFound(f"no model named {name!r}: GET /api/v1/models lists them")
    return model


def events(
    session: Session, model: str | None, since: datetime | None, limit: int, kinds: list[str] | None = None
) -> list[dict]:
    """Events newest first (of one model, or all), at most ``limit``."""
    if model is not None:
        _model(session, model)
    query = select(ModelEvent).order_by(ModelEvent.created_at.desc(), ModelEvent.id.desc()).limit(limit)
    if model is not None:
        query = query.where(ModelEvent.model_name == model)
    if since is not None:
        query = query.where(ModelEvent.created_at >= since)
    if kinds:
        query = query.where(ModelEvent.kind.in_(kinds))
    return [event_out(e) for e in session.scalars(query)]


def comparison(session: Session, name: str, minutes: float) -> dict:
    """The champion-challenger comparison of ``name`` over the last ``minutes``, oldest first."""
    model = _model(session, name)
    rows = session.scalars(
        select(VersionComparison)
        .where(
            VersionComparison.model_name == name,
            VersionComparison.computed_at >= utcnow() - timedelta(minutes=minutes),
        )
        .order_by(VersionComparison.computed_at)
    )
    return {
        "model": name,
        "stages": stages_out(model),
        "points": [
            {
                "computed_at": r.computed_at,
                "champion_version": r.champion_version,
                "challenger_version": r.challenger_version,
                "mode": r.mode,
                "n_paired": r.n_paired,
                "n_labelled": r.n_labelled,
                "details": r.details or {},
            }
            for r in rows
        ],
    }
