"""What the live channel of one model watches, read in one short session per poll.

``take_snapshot`` reads the model's stats and change markers (its newest finished
run, its newest alert change with the open count, its newest incident change with
the counts per status and its newest incident) and two that every model's channel
shares (the newest model event, the simulator's control row); the broadcaster in
``app.api.live`` compares two snapshots to decide which messages to send.
Polling these (rather than in-process signals) lets several backend replicas
and a separate worker process feed the channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.services import simulator
from app.services.runtime import Runtime
from app.services.stages import event_out
from app.services.stats import current_stats
from driftwatch_core.db.models import Alert, Incident, ModelEvent, MonitoringRun


def drift_marker(session: Session, model: str) -> dict | None:
    """``{run_id, finished_at}`` of the model's newest finished run, or None before the first."""
    row = session.execute(
        select(MonitoringRun.id, MonitoringRun.finished_at)
        .where(MonitoringRun.model_name == model, MonitoringRun.finished_at.is_not(None))
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()
    return {"run_id": row.id, "finished_at": row.finished_at} if row else None


def models_marker(session: Session) -> dict | None:
    """The newest model event (any model), or None before the first."""
    event = session.scalars(select(ModelEvent).order_by(ModelEvent.id.desc()).limit(1)).first()
    if event is None:
        return None
    out = event_out(event)
    return {key: out[key] for key in ("id", "created_at", "model", "kind", "version", "message")}


def alerts_marker(session: Session, model: str) -> dict:
    """``{updated_at, open}``: the model's newest alert change (None without alerts) and open count."""
    updated_at, open_count = session.execute(
        select(
            func.max(Alert.updated_at),
            func.sum(case(((Alert.status == "open") & (Alert.severity != "info"), 1), else_=0)),
        ).where(Alert.model_name == model)
    ).one()
    return {"updated_at": updated_at, "open": int(open_count or 0)}


#: The last marker read per database and model, by ``(max(updated_at), count)``: every change
#: to an incident moves its ``updated_at`` (the worker's and the API's writes both do) and a
#: purge moves the count, so the counts and the newest row are read again only then.
_incidents_seen: dict[tuple[int, str], tuple[tuple, dict]] = {}


def incidents_marker(session: Session, model: str) -> dict:
    """``{updated_at, open, acknowledged, resolved, newest}`` over the model's incidents
    (one query a poll; three when an incident changed)."""
    of_model = Incident.model_name == model
    updated_at, total = session.execute(select(func.max(Incident.updated_at), func.count()).where(of_model)).one()
    key, version = (id(session.get_bind()), model), (updated_at, total)
    seen = _incidents_seen.get(key)
    if seen is not None and seen[0] == version:
        return seen[1]
    counts = dict(
        session.execute(select(Incident.status, func.count()).where(of_model).group_by(Incident.status)).tuples().all()
    )
    newest = session.scalars(
        select(Incident).where(of_model).order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(1)
    ).first()
    marker = {
        "updated_at": updated_at,
        **{status: counts.get(status, 0) for status in ("open", "acknowledged", "resolved")},
        "newest": None
        if newest is None
        else {
            "id": newest.id,
            "model": newest.model_name,
            "status": newest.status,
            "title": newest.title,
            "severity": newest.severity,
            "opened_at": newest.opened_at,
            "resolved_at": newest.resolved_at,
        },
    }
    _incidents_seen[key] = (version, marker)
    return marker


@dataclass
class Snapshot:
    """One poll of everything the channel watches (``drift`` and ``simulator``: ``None``
    before the first cycle or the first scenario change)."""

    stats: dict
    drift: dict | None
    alerts: dict
    simulator: tuple | None  # (updated_at, rps, model) of the control row: what a change moves
    simulator_state: dict = field(default_factory=dict, compare=False)
    models: dict | None = None  # the newest model event
    incidents: dict | None = None  # incidents_marker


def take_snapshot(runtime: Runtime, model: str) -> Snapshot:
    """Read ``model``'s stats and change markers in one short session (runs in a thread)."""
    with runtime.session_factory() as session:
        row = simulator.control_row(session)
        version = runtime.served_version(model)
        return Snapshot(
            stats=current_stats(session, runtime.stats, runtime.writer.pending, model, version),
            drift=drift_marker(session, model),
            alerts=alerts_marker(session, model),
            simulator=(row.updated_at, row.rps, row.model) if row else None,
            simulator_state=simulator.state(row, runtime.default_model),
            models=models_marker(session),
            incidents=incidents_marker(session, model),
        )
