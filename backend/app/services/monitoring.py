"""Queries behind the monitoring API: the worker's latest results and their history.

The worker writes one ``monitoring_runs`` row per cycle, one ``drift_results``
row per feature (PSI and histograms in ``details``) and one
``performance_results`` row per kind; these functions shape them for the API.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services.errors import Conflict, NotFound
from driftwatch_core.db.models import Alert, DriftResult, MonitoringRun, PerformanceResult, utcnow
from driftwatch_core.features import FEATURE_NAMES, SCORE_NAME

FINISHED = ("ok", "insufficient_data")
MAX_POINTS = 5_000
DEFAULT_HISTORY = timedelta(hours=1)
ALERT_TRANSITIONS = {
    "acknowledge": {"open": "acknowledged"},
    "resolve": {"open": "resolved", "acknowledged": "resolved"},
}


class TransitionError(Conflict):
    """The alert's status does not allow the action (e.g. acknowledging a resolved one)."""


def latest_run(session: Session) -> MonitoringRun | None:
    """The newest cycle that finished (failed cycles are skipped)."""
    return session.scalars(
        select(MonitoringRun)
        .where(MonitoringRun.finished_at.is_not(None), MonitoringRun.status.in_(FINISHED))
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()


def run_details(session: Session) -> dict:
    """The rules of the newest cycle (thresholds, rule, costs); empty before any cycle."""
    details = session.scalars(
        select(MonitoringRun.details)
        .where(MonitoringRun.details.is_not(None))
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()
    return details or {}


def _feature_out(row: DriftResult) -> dict:
    details = row.details or {}
    return {
        "feature": row.feature,
        "kind": row.feature_kind,
        "psi": details.get("psi"),
        "psi_severity": details.get("psi_severity", row.severity),
        "test": row.test,
        "statistic": row.statistic,
        "p_value": row.p_value,
        "drifted": row.drifted,
        "severity": row.severity,
        "n_reference": row.n_reference,
        "n_current": row.n_current,
        "window_start": row.window_start,
        "window_end": row.window_end,
        "histogram": details.get("histogram") or {"bins": [], "reference": [], "current": []},
    }


def _order(name: str) -> int:
    return FEATURE_NAMES.index(name) if name in FEATURE_NAMES else len(FEATURE_NAMES)


def drift(session: Session, details: dict | None = None) -> dict:
    """The newest cycle's drift per feature; ``details`` are its rules when the caller has them."""
    run = latest_run(session)
    rows = session.scalars(select(DriftResult).where(DriftResult.run_id == run.id)).all() if run else []
    features = sorted((r for r in rows if r.feature != SCORE_NAME), key=lambda r: _order(r.feature))
    score = next((r for r in rows if r.feature == SCORE_NAME), None)
    return {
        "status": run.status if run else "no_data",
        "run": run,
        "features": [_feature_out(r) for r in features],
        "score": _feature_out(score) if score else None,
        "thresholds": (details if details is not None else run_details(session)).get("thresholds", {}),
    }


def summary(session: Session) -> dict:
    details = run_details(session)
    result = drift(session, details)
    run, score = result["run"], result["score"]
    return {
        "status": result["status"],
        "run": run,
        "dataset_drift": run.dataset_drift if run else None,
        "drift_share": run.drift_share if run else None,
        "drifted_features": [f["feature"] for f in result["features"] if f["drifted"]],
        "n_features": len(result["features"]),
        "rule": details.get("rule"),
        "prediction_drift": {k: score[k] for k in ("psi", "statistic", "p_value", "drifted", "severity")}
        if score
        else None,
    }


def is_monitored(feature: str) -> bool:
    return feature in FEATURE_NAMES or feature == SCORE_NAME


def history(session: Session, feature: str, since: datetime | None) -> list[dict]:
    """One point per cycle for ``feature`` since ``since`` (default the last hour), oldest first;
    ``NotFound`` when the feature is not monitored."""
    if not is_monitored(feature):
        raise NotFound(f"feature: unknown feature {feature!r}")
    since = since or utcnow() - DEFAULT_HISTORY
    rows = session.scalars(
        select(DriftResult)
        .where(DriftResult.feature == feature, DriftResult.computed_at >= since)
        .order_by(DriftResult.computed_at.desc())
        .limit(MAX_POINTS)
    ).all()
    return [
        {
            "run_id": r.run_id,
            "computed_at": r.computed_at,
            "psi": (r.details or {}).get("psi"),
            "statistic": r.statistic,
            "p_value": r.p_value,
            "drifted": r.drifted,
            "severity": r.severity,
        }
        for r in reversed(rows)
    ]


def _point(row: PerformanceResult) -> dict:
    return {
        **row.metrics,
        "computed_at": row.computed_at,
        "window_start": row.window_start,
        "window_end": row.window_end,
        "n_rows": row.n_rows,
    }


def performance(session: Session, since: datetime | None) -> dict:
    since = since or utcnow() - DEFAULT_HISTORY
    rows = session.scalars(
        select(PerformanceResult)
        .where(PerformanceResult.computed_at >= since)
        .order_by(PerformanceResult.computed_at.desc())
        .limit(2 * MAX_POINTS)
    ).all()
    series = {kind: [_point(r) for r in reversed(rows) if r.kind == kind] for kind in ("realized", "estimated")}
    latest = {
        kind: session.scalars(
            select(PerformanceResult)
            .where(PerformanceResult.kind == kind)
            .order_by(PerformanceResult.id.desc())
            .limit(1)
        ).first()
        for kind in ("realized", "estimated")
    }
    return {
        **series,
        "latest": {k: _point(r) if r else None for k, r in latest.items()},
        "costs": run_details(session).get("costs", {}),
    }


def alerts(session: Session, status: str | None, limit: int) -> dict:
    query = select(Alert).order_by(Alert.opened_at.desc(), Alert.id.desc()).limit(limit)
    if status:
        query = query.where(Alert.status == status)
    counts = dict(session.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
    return {"items": session.scalars(query).all(), "counts": counts}


def transition(session: Session, alert_id: int, action: str) -> Alert:
    """Acknowledge or resolve an alert; ``NotFound`` if unknown, ``TransitionError`` if not allowed."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFound(f"alert_id: no alert {alert_id}")
    target = ALERT_TRANSITIONS[action].get(alert.status)
    if target is None:
        raise TransitionError(f"cannot {action} an alert that is {alert.status}")
    now = utcnow()
    alert.status, alert.updated_at = target, now
    if target == "acknowledged":
        alert.acknowledged_at = now
    else:
        alert.resolved_at = now
    session.commit()
    return alert
