"""Incidents: a cycle's alerts grouped by model and cause, worded for people.

One fraud-ring shift opens a dozen alerts (one per feature, the score, the
dataset); people act on one thing. Every alert kind has a cause
(``driftwatch_core.incidents.CAUSE_OF_KIND``: the three drift kinds are
``drift``). Right after ``alerts.apply``, in the same transaction (so under the
same advisory lock), each unresolved alert that belongs to no incident joins
its model's unresolved incident of its cause, or opens one; at most one is
unresolved per (model, cause), as a partial unique index enforces.

Every cycle then refreshes the model's unresolved incidents from their alerts
and what the cycle measured (``Seen``): the severity (the highest of the
unresolved alerts'), the status (``acknowledged`` once every unresolved alert
is), the peaks (the highest drift share and PSI per feature, the lowest
realized ROC-AUC: never lowered, kept once resolved), the title and the
summary (what moved and which way). An incident whose alerts have all resolved
resolves at that cycle's time. The words come from ``worker.incident_words``.

``started_at`` is when the cause began, where known: the newest traffic switch
(a ``scenario`` event of the model: the backend records a switch under the model
the simulator's traffic goes to)
within the window before the first detection, else for drift the start of the
window that first showed it, else unknown. Opening and resolving are model
events (``incident_opened``, ``incident_resolved``): every time chart marks
them, so their messages are short.

``update`` returns the cycle's transitions worth telling people (``Change``):
an incident opened, escalated (its severity went up) or resolved; an alert
that only joins an incident, or a refresh that changes nothing of the kind,
is none. ``worker.notify`` posts one webhook message per transition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import Alert, Incident, ModelEvent
from driftwatch_core.features import humanize
from driftwatch_core.incidents import (
    CAUSE_OF_KIND,
    OPENED,
    RESOLVED,
    SEVERITY_RANK,
    opened_message,
    resolved_message,
)
from driftwatch_core.stages import record_event
from worker.drift import FeatureDrift
from worker.incident_words import direction, words
from worker.window import SWITCH_EVENT

ACTOR = "worker"


@dataclass(frozen=True)
class Change:
    """An incident's transition: ``opened``, ``escalated`` (its severity went up) or ``resolved``."""

    action: str
    incident_id: int
    model: str
    cause: str
    severity: str  # after the transition (a resolved incident keeps its last)
    title: str
    summary: str
    opened_at: datetime
    started_at: datetime | None  # when its cause began, where known
    resolved_at: datetime | None = None
    escalated_from: str | None = None  # escalated: the severity before

    @classmethod
    def of(cls, action: str, incident: Incident, escalated_from: str | None = None) -> Change:
        return cls(
            action,
            incident.id,
            incident.model_name,
            incident.cause,
            incident.severity,
            incident.title,
            incident.summary,
            incident.opened_at,
            incident.started_at,
            incident.resolved_at,
            escalated_from,
        )


@dataclass(frozen=True)
class Seen:
    """What one cycle measured that incidents keep; empty when the cycle judged nothing."""

    window_start: datetime  # of the drift window
    label_start: datetime  # of the realized-performance window
    features: dict[str, dict] = field(default_factory=dict)  # name → label, psi, drifted, direction
    n_features: int = 0
    drift_share: float | None = None
    roc_auc: float | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # each feature's name for people

    @classmethod
    def measured(
        cls,
        window_start: datetime,
        label_start: datetime,
        drift: list[FeatureDrift],
        drift_share: float | None,
        roc_auc: float | None,
        labels: Mapping[str, str],
    ) -> Seen:
        """A cycle's view from its judged features (``labels``: each one's name for people), the
        dataset's drift share and the realized ROC-AUC (None when not judged)."""
        return cls(
            window_start,
            label_start,
            {r.feature: _feature_seen(r, labels.get(r.feature) or humanize(r.feature)) for r in drift},
            len(drift),
            drift_share,
            roc_auc,
            labels,
        )


def _feature_seen(r: FeatureDrift, label: str) -> dict:
    return {"label": label, "psi": r.psi, "drifted": r.drifted, "direction": direction(r, label)}


def update(session: Session, model: str, seen: Seen, now: datetime) -> list[Change]:
    """Group ``model``'s new alerts into incidents and refresh its unresolved ones; the caller commits.
    The transitions, in the order of the incidents' ids."""
    ungrouped = session.scalars(
        select(Alert)
        .where(
            Alert.model_name == model,
            Alert.status != "resolved",
            Alert.incident_id.is_(None),
            Alert.kind.in_(CAUSE_OF_KIND),
        )
        .order_by(Alert.id)
    ).all()
    unresolved = {
        i.cause: i
        for i in session.scalars(select(Incident).where(Incident.model_name == model, Incident.status != "resolved"))
    }
    opened: list[Incident] = []
    for alert in ungrouped:
        cause = CAUSE_OF_KIND[alert.kind]
        if cause not in unresolved:
            unresolved[cause] = _open(session, model, cause, alert.opened_at, seen, now)
            opened.append(unresolved[cause])
        alert.incident_id = unresolved[cause].id
    session.flush()
    changes: list[Change] = []
    for incident in sorted(unresolved.values(), key=lambda i: i.id):
        members = list(
            session.scalars(select(Alert).where(Alert.incident_id == incident.id).order_by(Alert.id.desc())).all()
        )
        before = incident.severity
        _refresh(incident, members, seen, now)
        if incident in opened:
            _record_opened(session, incident, members, now)
            changes.append(Change.of("opened", incident))
        elif incident.status != "resolved" and SEVERITY_RANK[incident.severity] > SEVERITY_RANK[before]:
            changes.append(Change.of("escalated", incident, escalated_from=before))
        if incident.status == "resolved":
            changes.append(Change.of("resolved", incident))
            record_event(
                session,
                model,
                RESOLVED,
                resolved_message(incident.cause, incident.opened_at, now),
                actor=ACTOR,
                details={"incident_id": incident.id, "severity": incident.severity, "cause": incident.cause},
                at=now,
            )
    return changes


def _open(session: Session, model: str, cause: str, opened_at: datetime, seen: Seen, now: datetime) -> Incident:
    switch, started_at = None, None
    if cause in ("drift", "performance"):
        window = now - (seen.label_start if cause == "performance" else seen.window_start)
        switch = _traffic_switch(session, model, opened_at - window, opened_at)
        started_at = switch.created_at if switch is not None else seen.window_start if cause == "drift" else None
    details: dict[str, Any] = {"features": {}}
    if switch is not None:
        details["switch"] = {"event_id": switch.id, "message": switch.message, "at": switch.created_at.isoformat()}
    incident = Incident(
        model_name=model,
        cause=cause,
        status="open",
        severity="warning",
        title="",
        summary="",
        opened_at=opened_at,
        started_at=started_at,
        updated_at=opened_at,
        peak={},
        details=details,
    )
    session.add(incident)
    session.flush()
    return incident


def _traffic_switch(session: Session, model: str, since: datetime, until: datetime) -> ModelEvent | None:
    """The newest switch (not back to normal) of ``model``'s traffic recorded in [since, until]."""
    switches = session.scalars(
        select(ModelEvent)
        .where(
            ModelEvent.model_name == model,
            ModelEvent.kind == SWITCH_EVENT,
            ModelEvent.created_at >= since,
            ModelEvent.created_at <= until,
        )
        .order_by(ModelEvent.created_at.desc(), ModelEvent.id.desc())
    )
    return next((e for e in switches if (e.details or {}).get("scenario") != "none"), None)


def _record_opened(session: Session, incident: Incident, members: list[Alert], now: datetime) -> None:
    n_features = len({a.feature for a in members if a.kind == "feature_drift"})
    record_event(
        session,
        incident.model_name,
        OPENED,
        opened_message(incident.cause, n_features),
        actor=ACTOR,
        details={"incident_id": incident.id, "severity": incident.severity, "cause": incident.cause},
        at=now,
    )


def _state(incident: Incident) -> tuple:
    return (incident.status, incident.severity, incident.title, incident.summary, incident.peak, incident.details)


def _refresh(incident: Incident, members: list[Alert], seen: Seen, now: datetime) -> None:
    """Severity, status, peaks and words from the members and this cycle's measurements."""
    before = _state(incident)
    unresolved = [a for a in members if a.status != "resolved"]
    if unresolved:
        incident.severity = max((a.severity for a in unresolved), key=lambda s: SEVERITY_RANK.get(s, 0))
        incident.status = "acknowledged" if all(a.status == "acknowledged" for a in unresolved) else "open"
    else:
        incident.status, incident.resolved_at = "resolved", now
    features = sorted({a.feature for a in members if a.kind == "feature_drift"})
    incident.peak = _peak(incident.peak or {}, incident.cause, features, seen)
    incident.details = _details(incident.details or {}, features, seen)
    incident.title, incident.summary = words(incident, members, features)
    if (
        incident.status,
        incident.severity,
        incident.title,
        incident.summary,
        incident.peak,
        incident.details,
    ) != before:
        incident.updated_at = now


def _peak(peak: Mapping[str, Any], cause: str, features: list[str], seen: Seen) -> dict:
    """The worst values so far (a new dict: JSON columns notice reassignment, not mutation)."""
    out = {**peak, "features": dict(peak.get("features", {}))}
    if cause == "drift":
        for name in features:
            psi = seen.features.get(name, {}).get("psi")
            if psi is not None:
                out["features"][name] = max(psi, out["features"].get(name, psi))
        if seen.drift_share is not None:
            out["drift_share"] = max(seen.drift_share, out.get("drift_share") or 0.0)
    if cause == "performance" and seen.roc_auc is not None:
        out["roc_auc"] = min(seen.roc_auc, out.get("roc_auc", seen.roc_auc))
    return out


def _details(details: Mapping[str, Any], features: list[str], seen: Seen) -> dict:
    """The newest cycle's view of each member feature (kept as is when the cycle judged no drift)."""
    current = dict(details.get("features", {}))
    for name in features:
        before = current.get(name, {})
        label = seen.labels.get(name) or before.get("label") or humanize(name)
        current[name] = {**before, "label": label, **seen.features.get(name, {})}
    n_features = seen.n_features or details.get("n_features", 0)
    return {**details, "features": current, "n_features": n_features}
