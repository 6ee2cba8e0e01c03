"""Incidents against PostgreSQL: one per (model, cause), grouped from whole cycles, worded for people."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import Alert, Incident, ModelEvent
from driftwatch_core.features import FEATURE_NAMES, FEATURES, FEATURES_BY_NAME, feature_label
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import DEMO_MODEL
from worker import incidents
from worker.alerts import Condition, apply, performance_condition
from worker.incident_words import direction

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
DRIFT_KINDS = {"feature_drift", "prediction_drift", "dataset_drift"}
FEATURE_MESSAGE = re.compile(
    r"^[A-Z][^_]* shifted (strongly|moderately): PSI \d+\.\d\d \((KS|chi²) [\d.,]+(, p (< 1e-10|= [\d.e+-]+))?\)$"
)


def rows(engine, model, *where, order=None) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(model).where(*where).order_by(order or model.id)).all())


def events(engine, kind: str) -> list:
    return rows(engine, ModelEvent, ModelEvent.kind == kind)


def shifted_window(store, strong_drift, at: datetime, seed: int = 6) -> TransactionGenerator:
    """A window a third of which is a fraud-ring shift (most features drift, the score too)."""
    gen = TransactionGenerator(seed=seed)
    store(gen.sample(2_000), at, 290)
    store(gen.sample(1_000, strong_drift), at, 90)
    return gen


def test_a_shift_opens_one_incident_that_keeps_its_peak_and_resolves_after_its_alerts(
    monitor, store, clean_db, strong_drift
):
    gen = shifted_window(store, strong_drift, NOW)
    first = monitor.run_cycle(NOW)[DEMO_MODEL]
    assert first.dataset.drifted and first.score.drifted

    [incident] = rows(clean_db, Incident)
    members = rows(clean_db, Alert)
    assert {a.kind for a in members} == DRIFT_KINDS  # ~14 alerts, one incident
    assert len(members) > 5 and all(a.incident_id == incident.id for a in members)
    drifted = sorted(r.feature for r in first.drift if r.drifted)
    assert (incident.model_name, incident.cause, incident.status, incident.severity) == (
        DEMO_MODEL,
        "drift",
        "open",
        "critical",
    )
    assert incident.title == f"Input drift: {len(drifted)} of {len(FEATURE_NAMES)} features shifted"
    assert incident.opened_at == NOW
    # No traffic switch recorded: the cause began at the latest when the window that showed it did.
    assert incident.started_at == NOW - timedelta(minutes=monitor.settings.window_minutes)
    assert sorted(incident.peak["features"]) == drifted
    assert incident.peak["drift_share"] == first.dataset.share
    [opened] = events(clean_db, "incident_opened")
    assert opened.message == f"Drift detected: {len(drifted)} features" and opened.created_at == NOW
    assert opened.details == {"incident_id": incident.id, "severity": "critical", "cause": "drift"}

    # The shift holds: the next cycle joins the same incident.
    monitor.run_cycle(NOW + timedelta(seconds=30))
    [incident] = rows(clean_db, Incident)
    assert {a.incident_id for a in rows(clean_db, Alert)} == {incident.id}
    peak = incident.peak

    # Traffic back to normal: the alerts resolve on the third clear cycle, and the incident with them.
    later = NOW + timedelta(minutes=20)
    store(gen.sample(3_000), later + timedelta(minutes=2), 400)
    for i in range(3):
        monitor.run_cycle(later + timedelta(seconds=30 * i))
        [incident] = rows(clean_db, Incident)
        assert incident.status == ("open" if i < 2 else "resolved"), i
    assert {a.status for a in rows(clean_db, Alert)} == {"resolved"}
    assert incident.resolved_at == later + timedelta(seconds=60)
    assert incident.peak == peak  # the clean cycles' low PSI never lowers it
    current = incident.details["features"]
    assert all(not current[name]["drifted"] and current[name]["psi"] < peak["features"][name] for name in drifted)
    [resolved] = events(clean_db, "incident_resolved")
    assert resolved.message == "Drift resolved after 21 min" and resolved.details["incident_id"] == incident.id

    # The same shift again is a new incident: the resolved one stays as it was.
    shifted_window(store, strong_drift, later + timedelta(minutes=30), seed=7)
    monitor.run_cycle(later + timedelta(minutes=30))
    old, new = rows(clean_db, Incident)
    assert (old.status, new.status) == ("resolved", "open") and old.peak == peak


def test_a_traffic_switch_before_the_detection_is_when_the_incident_started(monitor, store, clean_db, strong_drift):
    with Session(clean_db) as session, session.begin():
        # The model's own switches count; another model's (its traffic, not this one's) does not.
        for ago, model in ((900, DEMO_MODEL), (40, DEMO_MODEL), (20, "another-model")):
            label = "Sudden shift"
            session.add(
                ModelEvent(
                    created_at=NOW - timedelta(seconds=ago),
                    model_name=model,
                    kind="scenario",
                    actor="admin:test",
                    message=f"Traffic: {label}",
                    details={"scenario": "sudden", "label": label},
                )
            )
    shifted_window(store, strong_drift, NOW)
    monitor.run_cycle(NOW)
    [incident] = rows(clean_db, Incident)
    assert incident.started_at == NOW - timedelta(seconds=40)  # the newest switch in the window, not the older one
    assert incident.summary.endswith(" Detected 40 s after Traffic: Sudden shift.")


def test_messages_title_and_summary_use_labels_never_snake_case(monitor, store, clean_db, strong_drift):
    shifted_window(store, strong_drift, NOW)
    result = monitor.run_cycle(NOW)[DEMO_MODEL]
    members = rows(clean_db, Alert)
    [incident] = rows(clean_db, Incident)
    for text in [incident.title, incident.summary, *(a.message for a in members)]:
        assert "_" not in text and not text[0].islower(), text
    features = [a.message for a in members if a.kind == "feature_drift"]
    assert all(FEATURE_MESSAGE.match(m) for m in features), features
    assert any(m.startswith("Distance from home (km) shifted strongly: PSI ") for m in features)
    assert any("p < 1e-10)" in m for m in features)  # a tiny p-value says no more
    [dataset] = [a.message for a in members if a.kind == "dataset_drift"]
    n = sum(r.drifted for r in result.drift)
    assert dataset.startswith(f"{n} of {len(FEATURE_NAMES)} inputs drifted ({n / len(FEATURE_NAMES):.0%}): ")
    [score] = [a.message for a in members if a.kind == "prediction_drift"]
    assert score.startswith("Model score distribution shifted ")
    # Which way each kind of feature moved (the shift: 3x amounts, electronics, few cards present).
    moved = {r.feature: direction(r, result_label(r.feature)) for r in result.drift}
    assert moved["amount"] == "higher amount (USD)"
    assert moved["merchant_category"] == "more Electronics"
    assert moved["card_present"] == "fewer card present"
    assert moved["is_international"] == "more is international"
    assert moved["account_age_days"] == "lower account age days"
    # The summary says which way they moved, the highest peak PSI first, four of them by name.
    top = incident.details["features"][ranked(incident)[0]]["direction"]
    assert incident.summary.startswith(top[:1].upper() + top[1:] + ", ")
    assert re.search(rf"^[^.]* and {n - 4} more\.", incident.summary), incident.summary


def result_label(name: str) -> str:
    return feature_label(FEATURES_BY_NAME[name])


def ranked(incident) -> list[str]:
    peaks = incident.peak["features"]
    return sorted(peaks, key=lambda name: -peaks[name])


def seen(at: datetime, roc_auc: float | None = None) -> incidents.Seen:
    labels = {f.name: feature_label(f) for f in FEATURES}
    return incidents.Seen(at - timedelta(minutes=5), at - timedelta(minutes=30), roc_auc=roc_auc, labels=labels)


def cycle(engine, conditions: list[Condition], judged: set[str], at: datetime, roc_auc: float | None = None) -> None:
    """``alerts.apply`` then ``incidents.update`` in one transaction, as a cycle does."""
    with Session(engine) as session, session.begin():
        apply(session, DEMO_MODEL, conditions, judged, 1, at)
        incidents.update(session, DEMO_MODEL, seen(at, roc_auc), at)


def test_performance_is_its_own_incident_and_keeps_the_lowest_roc_auc(clean_db):
    drift = Condition("feature_drift", "amount", "warning", "Amount (USD) shifted moderately: PSI 0.12", 0.12, 0.1)
    cycle(clean_db, [drift, performance_condition(0.62, 0.8, 840)], {"feature_drift", "performance"}, NOW, 0.62)
    cycle(clean_db, [drift, performance_condition(0.7, 0.8, 900)], {"feature_drift", "performance"}, NOW, 0.7)
    by_cause = {i.cause: i for i in rows(clean_db, Incident)}
    assert set(by_cause) == {"drift", "performance"}
    quality = by_cause["performance"]
    assert quality.title == "Model quality dropped: realized ROC-AUC 0.70 < 0.80"
    assert quality.summary.startswith("Realized ROC-AUC 0.70 is below 0.80 (n = 900 labels). Lowest so far 0.62.")
    assert quality.peak["roc_auc"] == 0.62 and quality.started_at is None
    assert by_cause["drift"].title == "Input drift: Amount (USD) shifted"
    assert by_cause["drift"].severity == "warning"
    assert sorted(e.message for e in events(clean_db, "incident_opened")) == [
        "Drift detected: 1 feature",
        "Quality drop detected",
    ]
    # Performance recovers: its incident resolves, the drift one stays open.
    cycle(clean_db, [drift], {"feature_drift", "performance"}, NOW + timedelta(minutes=6), 0.9)
    by_cause = {i.cause: i for i in rows(clean_db, Incident)}
    assert (by_cause["performance"].status, by_cause["drift"].status) == ("resolved", "open")
    assert by_cause["performance"].peak["roc_auc"] == 0.62
    assert [e.message for e in events(clean_db, "incident_resolved")] == ["Quality drop resolved after 6 min"]


def test_an_incident_is_acknowledged_once_all_its_unresolved_alerts_are(clean_db):
    conditions = [
        Condition("feature_drift", name, "critical", f"{name.title()} shifted strongly: PSI 0.40", 0.4, 0.25)
        for name in ("amount", "hour_of_day")
    ]
    cycle(clean_db, conditions, {"feature_drift"}, NOW)
    first, second = rows(clean_db, Alert)
    with Session(clean_db) as session, session.begin():
        session.get(Alert, first.id).status = "acknowledged"
    cycle(clean_db, conditions, {"feature_drift"}, NOW + timedelta(seconds=30))
    assert rows(clean_db, Incident)[0].status == "open"  # one alert is still open
    with Session(clean_db) as session, session.begin():
        session.get(Alert, second.id).status = "acknowledged"
    cycle(clean_db, conditions, {"feature_drift"}, NOW + timedelta(seconds=60))
    [incident] = rows(clean_db, Incident)
    assert incident.status == "acknowledged" and incident.updated_at == NOW + timedelta(seconds=60)


def test_transitions_are_opened_escalated_and_resolved_and_an_alert_joining_is_none(clean_db):
    def drift(feature: str, severity: str) -> Condition:
        return Condition("feature_drift", feature, severity, f"{feature.title()} shifted: PSI 0.20", 0.2, 0.1)

    def transitions(conditions: list[Condition], at: datetime) -> list[tuple]:
        with Session(clean_db) as session, session.begin():
            apply(session, DEMO_MODEL, conditions, {"feature_drift"}, 1, at)
            changes = incidents.update(session, DEMO_MODEL, seen(at), at)
        return [(c.action, c.model, c.severity, c.escalated_from) for c in changes]

    amount, hour = drift("amount", "warning"), drift("hour_of_day", "warning")
    assert transitions([amount], NOW) == [("opened", DEMO_MODEL, "warning", None)]
    assert transitions([amount, hour], NOW + timedelta(seconds=30)) == []  # an alert joins: no news
    hour = drift("hour_of_day", "critical")
    assert transitions([amount, hour], NOW + timedelta(seconds=60)) == [
        ("escalated", DEMO_MODEL, "critical", "warning")
    ]
    assert transitions([amount, hour], NOW + timedelta(seconds=90)) == []  # held
    assert transitions([], NOW + timedelta(seconds=120)) == [("resolved", DEMO_MODEL, "critical", None)]
    [incident] = rows(clean_db, Incident)
    assert incident.status == "resolved"
