"""Queries behind the monitoring API: the worker's latest results and their history.

The worker writes one ``monitoring_runs`` row per cycle and model, one
``drift_results`` row per feature (PSI and histograms in ``details``) and one
``performance_results`` row per kind; these functions shape them for the API.
Every read is scoped to one model: its runs, results and alerts only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.registry.lookup import registered_model
from app.services import lifecycle
from driftwatch_core.db.models import (
    Alert,
    DriftResult,
    ModelVersion,
    MonitoringRun,
    PerformanceResult,
    utcnow,
)
from driftwatch_core.features import SCORE_NAME

FINISHED = ("ok", "insufficient_data")
MAX_POINTS = 5_000
DEFAULT_HISTORY = timedelta(hours=1)


def monitored(session: Session, model: str) -> tuple[tuple[str, ...], str]:
    """The feature names (in schema order) and the score name of the version ``model``'s cycles
    judge: its champion, else its newest; ``NotFound`` for an unknown model."""
    row = registered_model(session, model)
    version = session.get(ModelVersion, row.champion_version) if row.champion_version else None
    if version is None:
        version = session.scalars(
            select(ModelVersion).where(ModelVersion.model_name == model).order_by(ModelVersion.registered_at.desc())
        ).first()
    if version is None:
        return (), SCORE_NAME
    names = tuple(f["name"] for f in version.feature_schema)
    return names, (version.reference or {}).get("score_name", SCORE_NAME)


def latest_run(session: Session, model: str) -> MonitoringRun | None:
    """The model's newest cycle that finished (failed cycles are skipped)."""
    return session.scalars(
        select(MonitoringRun)
        .where(
            MonitoringRun.model_name == model,
            MonitoringRun.finished_at.is_not(None),
            MonitoringRun.status.in_(FINISHED),
        )
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()


def run_details(session: Session, model: str) -> dict:
    """The rules of the model's newest cycle (thresholds, rule, costs); empty before any cycle."""
    details = session.scalars(
        select(MonitoringRun.details)
        .where(MonitoringRun.model_name == model, MonitoringRun.details.is_not(None))
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


def drift(session: Session, model: str, details: dict | None = None) -> dict:
    """The newest cycle's drift per feature; ``details`` are its rules when the caller has them."""
    names, score_name = monitored(session, model)
    run = latest_run(session, model)
    rows = session.scalars(select(DriftResult).where(DriftResult.run_id == run.id)).all() if run else []
    order = {name: i for i, name in enumerate(names)}
    features = sorted((r for r in rows if r.feature != score_name), key=lambda r: order.get(r.feature, len(order)))
    score = next((r for r in rows if r.feature == score_name), None)
    return {
        "status": run.status if run else "no_data",
        "run": run,
        "features": [_feature_out(r) for r in features],
        "score": _feature_out(score) if score else None,
        "thresholds": (details if details is not None else run_details(session, model)).get("thresholds", {}),
    }


def summary(session: Session, model: str) -> dict:
    details = run_details(session, model)
    result = drift(session, model, details)
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


def history(session: Session, model: str, feature: str, since: datetime | None) -> list[dict]:
    """One point per cycle for ``feature`` since ``since`` (default the last hour), oldest first;
    ``NotFound`` when the feature is not monitored."""
    names, score_name = monitored(session, model)
    if feature not in names and feature != score_name:
        raise NotFound(f"feature: unknown feature {feature!r}")
    since = since or utcnow() - DEFAULT_HISTORY
    rows = session.scalars(
        select(DriftResult)
        .join(MonitoringRun, MonitoringRun.id == DriftResult.run_id)
        .where(MonitoringRun.model_name == model, DriftResult.feature == feature, DriftResult.computed_at >= since)
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


def _performance_of(model: str):
    return (
        select(PerformanceResult)
        .join(MonitoringRun, MonitoringRun.id == PerformanceResult.run_id)
        .where(MonitoringRun.model_name == model)
    )


def performance(session: Session, model: str, since: datetime | None) -> dict:
    registered_model(session, model)
    since = since or utcnow() - DEFAULT_HISTORY
    rows = session.scalars(
        _performance_of(model)
        .where(PerformanceResult.computed_at >= since)
        .order_by(PerformanceResult.computed_at.desc())
        .limit(2 * MAX_POINTS)
    ).all()
    series = {kind: [_point(r) for r in reversed(rows) if r.kind == kind] for kind in ("realized", "estimated")}
    latest = {
        kind: session.scalars(
            _performance_of(model).where(PerformanceResult.kind == kind).order_by(PerformanceResult.id.desc()).limit(1)
        ).first()
        for kind in ("realized", "estimated")
    }
    return {
        **series,
        "latest": {k: _point(r) if r else None for k, r in latest.items()},
        "costs": run_details(session, model).get("costs", {}),
    }


def alerts(session: Session, model: str, status: str | None, limit: int) -> dict:
    registered_model(session, model)
    query = select(Alert).where(Alert.model_name == model).order_by(Alert.opened_at.desc(), Alert.id.desc())
    if status:
        query = query.where(Alert.status == status)
    # Counts are of alerts that ask for action: notes (severity info, e.g. the promotion gate's) are listed only.
    by_status = (
        select(Alert.status, func.count())
        .where(Alert.model_name == model, Alert.severity != "info")
        .group_by(Alert.status)
    )
    counts = {status: count for status, count in session.execute(by_status).tuples()}
    return {"items": session.scalars(query.limit(limit)).all(), "counts": counts}


def transition(session: Session, alert_id: int, action: str) -> Alert:
    """Acknowledge or resolve an alert; ``NotFound`` if unknown, ``TransitionError`` if not allowed."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        raise NotFound(f"alert_id: no alert {alert_id}")
    lifecycle.transition(alert, action, f"alert {alert_id}", utcnow())
    session.commit()
    return alert
