"""/incidents lists incidents with counts; acknowledging or resolving one acts on all its alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from driftwatch_core.db.models import Alert, Incident, ModelEvent
from driftwatch_testing import DEMO_MODEL, TEST_PREDICT_KEY, auth

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def make_incident(clean_db):
    """An incident of the fraud model with alerts (kind, feature, severity, status) opened ``minutes`` after T0."""

    def _make(members, minutes=0, status="open", cause="drift") -> int:
        at = T0 + timedelta(minutes=minutes)
        with clean_db.begin() as conn:
            incident_id = conn.execute(
                insert(Incident)
                .values(
                    model_name=DEMO_MODEL,
                    cause=cause,
                    status=status,
                    severity="critical",
                    title="Input drift: Amount (USD) and Hour of day (h) shifted",
                    summary="Higher amount (USD), lower hour of day (h).",
                    opened_at=at,
                    started_at=at - timedelta(seconds=40),
                    updated_at=at,
                    resolved_at=at if status == "resolved" else None,
                    peak={"drift_share": 0.15, "features": {"amount": 0.41, "hour_of_day": 0.22}},
                    details={
                        "features": {
                            "amount": {"label": "Amount (USD)", "psi": 0.3, "drifted": True},
                            "hour_of_day": {"label": "Hour of day (h)", "psi": 0.05, "drifted": False},
                        }
                    },
                )
                .returning(Incident.id)
            ).scalar_one()
            for i, (kind, feature, severity, alert_status) in enumerate(members):
                conn.execute(
                    insert(Alert).values(
                        model_name=DEMO_MODEL,
                        kind=kind,
                        feature=feature,
                        severity=severity,
                        status=alert_status,
                        message=f"{feature} shifted",
                        opened_at=at + timedelta(seconds=i),
                        updated_at=at,
                        clear_cycles=0,
                        resolved_at=at if alert_status == "resolved" else None,
                        incident_id=incident_id,
                    )
                )
        return incident_id

    return _make


DRIFT = [
    ("feature_drift", "amount", "critical", "open"),
    ("feature_drift", "hour_of_day", "warning", "acknowledged"),
    ("dataset_drift", "", "critical", "resolved"),
]


def test_lists_newest_first_with_counts_and_filters(client, make_incident):
    old = make_incident([("no_traffic", "", "warning", "resolved")], status="resolved", cause="no_traffic")
    new = make_incident(DRIFT, minutes=10)
    body = client.get("/api/v1/incidents").json()
    assert [i["id"] for i in body["incidents"]] == [new, old]
    assert body["counts"] == {"open": 1, "acknowledged": 0, "resolved": 1}
    item = body["incidents"][0]
    assert (item["n_alerts"], item["n_open"], item["detection_s"]) == (3, 2, 40.0)
    assert item["opened_at"].startswith("2026-11-23T10:10:00") and item["opened_at"].endswith("Z")
    assert [a["opened_at"] for a in item["alerts"]] == sorted((a["opened_at"] for a in item["alerts"]), reverse=True)
    assert {a["incident_id"] for a in item["alerts"]} == {item["id"]}  # each member names its incident
    assert item["features"] == [
        {
            "name": "amount",
            "label": "Amount (USD)",
            "severity": "critical",
            "peak_psi": 0.41,
            "current_psi": 0.3,
            "drifted": True,
        },
        {
            "name": "hour_of_day",
            "label": "Hour of day (h)",
            "severity": "warning",
            "peak_psi": 0.22,
            "current_psi": 0.05,
            "drifted": False,
        },
    ]
    assert item["peak"] == {"drift_share": 0.15, "roc_auc": None}
    active = client.get("/api/v1/incidents", params={"status": "active"}).json()
    assert [i["id"] for i in active["incidents"]] == [new] and active["counts"] == body["counts"]
    assert [i["id"] for i in client.get("/api/v1/incidents", params={"limit": 1}).json()["incidents"]] == [new]
    of_model = client.get(f"/api/v1/models/{DEMO_MODEL}/incidents", params={"status": "resolved"}).json()
    assert [i["id"] for i in of_model["incidents"]] == [old]
    scoped = client.get(f"/api/v1/models/{DEMO_MODEL}/incidents").json()  # /incidents is its alias
    assert [i["id"] for i in scoped["incidents"]] == [new, old] and scoped["counts"] == body["counts"]
    one = client.get(f"/api/v1/incidents/{new}").json()
    assert one.pop("duration_s") >= item.pop("duration_s") > 0 and one == item  # until now: it is unresolved


def test_acknowledging_and_resolving_act_on_every_unresolved_alert(client, clean_db, make_incident):
    incident_id = make_incident(DRIFT)
    acked = client.post(f"/api/v1/incidents/{incident_id}/acknowledge")
    assert acked.status_code == 200
    body = acked.json()
    assert body["status"] == "acknowledged" and body["acknowledged_by"].startswith("admin:")
    assert [a["status"] for a in body["alerts"]] == ["resolved", "acknowledged", "acknowledged"]
    assert body["alerts"][2]["acknowledged_at"] is not None  # the open one, acknowledged now
    resolved = client.post(f"/api/v1/incidents/{incident_id}/resolve").json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert {a["status"] for a in resolved["alerts"]} == {"resolved"} and resolved["n_open"] == 0
    assert resolved["duration_s"] >= 0
    with clean_db.connect() as conn:
        [event] = conn.execute(select(ModelEvent).where(ModelEvent.kind == "incident_resolved")).all()
    assert event.details["incident_id"] == incident_id and event.message.startswith("Drift resolved after ")
    assert client.get("/api/v1/incidents").json()["counts"] == {"open": 0, "acknowledged": 0, "resolved": 1}


@pytest.mark.parametrize(
    ("status", "action", "detail"),
    [
        ("resolved", "acknowledge", "cannot acknowledge incident {id}: it is already resolved"),
        ("resolved", "resolve", "cannot resolve incident {id}: it is already resolved"),
        ("acknowledged", "acknowledge", "cannot acknowledge incident {id}: it is already acknowledged"),
    ],
)
def test_a_transition_the_status_forbids_is_a_409(client, make_incident, status, action, detail):
    incident_id = make_incident([("feature_drift", "amount", "critical", "resolved")], status=status)
    response = client.post(f"/api/v1/incidents/{incident_id}/{action}")
    assert response.status_code == 409
    assert response.json()["detail"] == detail.format(id=incident_id)


def test_unknown_ids_and_models_are_404_and_bad_input_a_422_naming_the_field(client):
    assert client.get("/api/v1/incidents/999").json()["detail"] == "incident_id: no incident 999"
    assert client.post("/api/v1/incidents/999/resolve").status_code == 404
    unknown = client.get("/api/v1/models/nope/incidents")
    assert unknown.status_code == 404 and "no model named 'nope'" in unknown.json()["detail"]
    for params, field in (({"status": "closed"}, "status"), ({"limit": 0}, "limit"), ({"limit": 201}, "limit")):
        response = client.get("/api/v1/incidents", params=params)
        assert response.status_code == 422 and field in response.json()["detail"], params
    assert client.get("/api/v1/incidents/0").status_code == 422
    assert client.get(f"/api/v1/incidents/{2**64}").status_code == 422


def test_transitions_need_the_admin_role(client, make_incident):
    incident_id = make_incident(DRIFT)
    anonymous = client.post(f"/api/v1/incidents/{incident_id}/acknowledge", headers={"X-API-Key": ""})
    assert anonymous.status_code == 401
    predict = client.post(f"/api/v1/incidents/{incident_id}/resolve", headers=auth(TEST_PREDICT_KEY))
    assert predict.status_code == 403
    assert client.get(f"/api/v1/incidents/{incident_id}").json()["status"] == "open"
