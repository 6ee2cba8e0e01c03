"""Alert conditions from a cycle's results, and their lifecycle in the database.

Alerts belong to a model: every read and write here is scoped by ``model_name``.
A condition is raised for (kind, feature) each cycle it holds. At most one
unresolved alert exists per (model, kind, feature) (a partial unique index
enforces it): a held condition updates that alert, a new one opens it. An
alert whose kind was judged this cycle but whose condition did not hold counts
a clear cycle; after ``resolve_after`` clear cycles in a row it resolves itself
(no flapping). Kinds not judged this cycle (drift on too little data; every
kind but ``monitoring_failed`` when the model's cycle failed) are left as they
are. Acknowledging and resolving by hand happen through the API.

Messages are for people: features by their label from the schema
(``driftwatch_core.features.feature_label``: ``Distance from home (km) shifted
strongly: PSI 0.45 (KS 0.27, p < 1e-10)``), never a snake_case name; a p-value
below 1e-10 says no more (the shift is certain) and reads ``p < 1e-10``, as on
the dashboard. A message never starts with its model's name, whichever model:
an alert is read beside its model (``model_name``). ``monitoring_failed``
(critical) is held while a model's cycles fail and names the model and the
error. ``worker.incidents`` groups the alerts by cause.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.engine import advisory_xact_lock
from driftwatch_core.db.models import Alert
from driftwatch_core.features import humanize

SEVERITY_BY_BAND = {"moderate": "warning", "significant": "critical"}
HOW_MUCH = {"moderate": "moderately", "significant": "strongly"}
TEST_NAMES = {"ks": "KS", "chi2": "chi²"}
#: A dataset-drift message names this many inputs, then "…".
NAMED_INPUTS = 4
_ADVISORY_KEY = 0x44574152  # "DWAR": one worker updates alerts at a time


@dataclass(frozen=True)
class Condition:
    kind: str
    feature: str
    severity: str  # "warning" | "critical"
    message: str
    value: float | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Event:
    """A change of one alert: what the loop counts (the webhook is told of incidents: ``worker.notify``)."""

    action: str  # "opened" | "escalated" | "resolved"
    alert_id: int
    text: str


def _measure(r) -> tuple[float, float]:
    """What set a drifted result's severity, beside its threshold: PSI against its
    band, or, when PSI is below the bands, the test's effect against its floor."""
    if r.psi_severity == "none":
        return r.effect, r.effect_floor
    return r.psi, r.thresholds["psi_significant" if r.psi_severity == "significant" else "psi_moderate"]


def p_value(p: float | None) -> str:
    """``p = 0.003``, ``p = 2e-05``, and below 1e-10 ``p < 1e-10`` (as the dashboard writes it)."""
    if p is None:
        return ""
    if p < 1e-10:
        return "p < 1e-10"
    return f"p = {p:.3f}" if p >= 0.001 else f"p = {p:.0e}"


def _evidence(r) -> str:
    """``PSI 0.45 (KS 0.27, p < 1e-10)``: the band's measure first, then the test's."""
    statistic = f"{r.statistic:.2f}" if abs(r.statistic) < 10 else f"{r.statistic:,.0f}"
    test = ", ".join(part for part in (f"{TEST_NAMES.get(r.test, r.test)} {statistic}", p_value(r.p_value)) if part)
    return f"PSI {r.psi:.2f} ({test})"


def _named(features: list[str], labels: Mapping[str, str]) -> str:
    names = [labels.get(f) or humanize(f) for f in features[:NAMED_INPUTS]]
    return ", ".join(names) + (", …" if len(features) > NAMED_INPUTS else "")


def drift_conditions(results, dataset, score, labels: Mapping[str, str] | None = None) -> list[Condition]:
    """Feature drift (by severity), prediction drift and dataset drift; ``labels`` name the
    features for people (by default their names, humanized)."""
    labels = labels or {}
    out = []
    for r in results:
        if r.drifted and r.severity in SEVERITY_BY_BAND:
            label = labels.get(r.feature) or humanize(r.feature)
            out.append(
                Condition(
                    "feature_drift",
                    r.feature,
                    SEVERITY_BY_BAND[r.severity],
                    f"{label} shifted {HOW_MUCH[r.severity]}: {_evidence(r)}",
                    *_measure(r),
                )
            )
    if score is not None and score.drifted:
        out.append(
            Condition(
                "prediction_drift",
                score.feature,
                SEVERITY_BY_BAND[score.severity],
                f"Model score distribution shifted {HOW_MUCH[score.severity]}: {_evidence(score)}",
                *_measure(score),
            )
        )
    if dataset.drifted:
        out.append(
            Condition(
                "dataset_drift",
                "",
                "critical",
                f"{len(dataset.drifted_features)} of {dataset.n_features} inputs drifted ({dataset.share:.0%}): "
                f"{_named(dataset.drifted_features, labels)}",
                dataset.share,
                dataset.threshold,
            )
        )
    return out


def performance_condition(roc_auc: float | None, floor: float, n_labels: int) -> Condition | None:
    if roc_auc is None or roc_auc >= floor:
        return None
    return Condition(
        "performance",
        "roc_auc",
        "critical",
        f"Realized ROC-AUC {roc_auc:.2f} is below {floor:.2f} (n = {n_labels:,} labels)",
        roc_auc,
        floor,
    )


def no_traffic_condition(n_rows: int, window_minutes: float) -> Condition | None:
    if n_rows > 0:
        return None
    return Condition("no_traffic", "", "warning", f"No predictions in the last {window_minutes:g} minutes", 0.0, None)


def failure_condition(model: str, error: str) -> Condition:
    """The model's cycle failed (``error``: the error's one-line summary)."""
    return Condition("monitoring_failed", "", "critical", f"Monitoring of model {model} failed: {error}")


def _open(session: Session, model: str, c: Condition, now: datetime) -> Alert:
    alert = Alert(
        model_name=model,
        kind=c.kind,
        feature=c.feature,
        severity=c.severity,
        status="open",
        message=c.message,
        value=c.value,
        threshold=c.threshold,
        opened_at=now,
        updated_at=now,
        clear_cycles=0,
    )
    session.add(alert)
    session.flush()
    return alert


def apply(
    session: Session,
    model: str,
    conditions: list[Condition],
    judged_kinds: set[str],
    resolve_after: int,
    now: datetime,
) -> list[Event]:
    """Open, update or resolve ``model``'s alerts for one cycle; the caller commits."""
    advisory_xact_lock(session, _ADVISORY_KEY)
    unresolved = {
        (a.kind, a.feature): a
        for a in session.scalars(select(Alert).where(Alert.model_name == model, Alert.status != "resolved"))
    }
    events: list[Event] = []
    held = {(c.kind, c.feature): c for c in conditions}
    for key, c in held.items():
        alert = unresolved.get(key)
        if alert is None:
            alert = _open(session, model, c, now)
            events.append(Event("opened", alert.id, f"[{c.severity}] {c.message}"))
            continue
        if c.severity == "critical" and alert.severity != "critical":
            events.append(Event("escalated", alert.id, f"[critical] {c.message}"))
        if (alert.severity, alert.message, alert.clear_cycles) != (c.severity, c.message, 0):
            alert.updated_at = now
        alert.severity, alert.message, alert.value, alert.threshold = (c.severity, c.message, c.value, c.threshold)
        alert.clear_cycles = 0
    for key, alert in unresolved.items():
        if key in held or alert.kind not in judged_kinds:
            continue
        alert.clear_cycles += 1
        alert.updated_at = now
        if alert.clear_cycles >= resolve_after:
            alert.status, alert.resolved_at = "resolved", now
            events.append(Event("resolved", alert.id, f"[resolved] {alert.message}"))
    return events
