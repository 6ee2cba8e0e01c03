"""Queries and transitions behind the incidents API.

The worker groups alerts into incidents and keeps their wording, severity and
peaks (``worker.incidents``); these functions shape them for the API and let
people acknowledge or resolve one: the transition applies to all its
unresolved alerts at once, as if each had been acted on by hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.registry.lookup import registered_model
from app.services import lifecycle
from driftwatch_core.db.models import Alert, Incident, utcnow
from driftwatch_core.features import humanize
from driftwatch_core.incidents import RESOLVED, resolved_message
from driftwatch_core.stages import record_event

#: ``active``: what still asks for attention (open or acknowledged).
STATUS_FILTER = {
    "open": ("open",),
    "acknowledged": ("acknowledged",),
    "resolved": ("resolved",),
    "active": ("open", "acknowledged"),
}


def _members(session: Session, ids: list[int]) -> dict[int, list[Alert]]:
    """Each incident's alerts, newest first, in one query."""
    grouped: dict[int, list[Alert]] = {i: [] for i in ids}
    if ids:
        query = select(Alert).where(Alert.incident_id.in_(ids)).order_by(Alert.opened_at.desc(), Alert.id.desc())
        for alert in session.scalars(query):
            grouped[alert.incident_id].append(alert)  # type: ignore[index]
    return grouped


def _features(incident: Incident, members: list[Alert]) -> list[dict]:
    """The drifted inputs: their newest alert's severity, peak and current PSI, highest peak first."""
    newest: dict[str, Alert] = {}
    for alert in members:  # newest first: the first of each feature wins
        if alert.kind == "feature_drift":
            newest.setdefault(alert.feature, alert)
    peaks = (incident.peak or {}).get("features", {})
    current = (incident.details or {}).get("features", {})
    out = [
        {
            "name": name,
            "label": current.get(name, {}).get("label") or humanize(name),
            "severity": alert.severity,
            "peak_psi": peaks.get(name),
            "current_psi": current.get(name, {}).get("psi"),
            "drifted": bool(current.get(name, {}).get("drifted", alert.status != "resolved")),
        }
        for name, alert in newest.items()
    ]
    return sorted(out, key=lambda f: -(f["peak_psi"] or 0.0))


def _seconds(start: datetime | None, end: datetime) -> float | None:
    return (end - start).total_seconds() if start is not None else None


def incident_out(incident: Incident, members: list[Alert], now: datetime) -> dict:
    peak = incident.peak or {}
    return {
        "id": incident.id,
        "model": incident.model_name,
        "cause": incident.cause,
        "status": incident.status,
        "severity": incident.severity,
        "title": incident.title,
        "summary": incident.summary,
        "opened_at": incident.opened_at,
        "started_at": incident.started_at,
        "detection_s": _seconds(incident.started_at, incident.opened_at),
        "updated_at": incident.updated_at,
        "acknowledged_at": incident.acknowledged_at,
        "acknowledged_by": incident.acknowledged_by,
        "resolved_at": incident.resolved_at,
        "duration_s": _seconds(incident.opened_at, incident.resolved_at or now),
        "features": _features(incident, members),
        "peak": {"drift_share": peak.get("drift_share"), "roc_auc": peak.get("roc_auc")},
        "n_alerts": len(members),
        "n_open": sum(a.status != "resolved" for a in members),
        "alerts": members,
    }


def incidents(session: Session, model: str, status: str | None, limit: int) -> dict:
    """A model's incidents newest first, with the count per status."""
    registered_model(session, model)
    query = select(Incident).where(Incident.model_name == model).order_by(Incident.opened_at.desc(), Incident.id.desc())
    counting = select(Incident.status, func.count()).where(Incident.model_name == model).group_by(Incident.status)
    if status:
        query = query.where(Incident.status.in_(STATUS_FILTER[status]))
    rows = session.scalars(query.limit(limit)).all()
    members, now = _members(session, [i.id for i in rows]), utcnow()
    return {
        "incidents": [incident_out(i, members[i.id], now) for i in rows],
        "counts": dict(session.execute(counting).tuples().all()),
    }


def incident(session: Session, incident_id: int) -> dict:
    found = session.get(Incident, incident_id)
    if found is None:
        raise NotFound(f"incident_id: no incident {incident_id}")
    return incident_out(found, _members(session, [incident_id])[incident_id], utcnow())


def transition(session: Session, incident_id: int, action: str, actor: str) -> dict:
    """Acknowledge or resolve an incident and all its unresolved alerts; ``NotFound`` if unknown,
    ``TransitionError`` if its status does not allow it. Resolving records ``incident_resolved``."""
    found = session.get(Incident, incident_id, with_for_update=True)
    if found is None:
        raise NotFound(f"incident_id: no incident {incident_id}")
    now = utcnow()
    target = lifecycle.transition(found, action, f"incident {incident_id}", now)
    unresolved = session.scalars(
        select(Alert).where(Alert.incident_id == incident_id, Alert.status != "resolved").with_for_update()
    ).all()
    for alert in unresolved:
        if lifecycle.allowed(alert, action):
            lifecycle.transition(alert, action, f"alert {alert.id}", now)
    if target == "acknowledged":
        found.acknowledged_by = actor[:64]
    else:
        record_event(
            session,
            found.model_name,
            RESOLVED,
            resolved_message(found.cause, found.opened_at, now),
            actor=actor,
            details={"incident_id": found.id, "severity": found.severity, "cause": found.cause, "by_hand": True},
            at=now,
        )
    session.commit()
    return incident(session, incident_id)
