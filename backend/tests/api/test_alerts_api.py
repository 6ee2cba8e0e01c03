"""/alerts lists alerts with counts; acknowledge and resolve follow the lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from driftwatch_core.db.models import Alert
from driftwatch_testing import DEMO_MODEL

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def make_alert(clean_db):
    def _make(kind="feature_drift", feature="amount", severity="warning", status="open", minutes=0) -> int:
        at = T0 + timedelta(minutes=minutes)
        with clean_db.begin() as conn:
            return conn.execute(
                insert(Alert)
                .values(
                    model_name=DEMO_MODEL,
                    kind=kind,
                    feature=feature,
                    severity=severity,
                    status=status,
                    message=f"{feature} drifted",
                    value=0.3,
                    threshold=0.1,
                    opened_at=at,
                    updated_at=at,
                    clear_cycles=0,
                    resolved_at=at if status == "resolved" else None,
                )
                .returning(Alert.id)
            ).scalar_one()

    return _make


def test_lists_newest_first_with_counts_and_filters(client, make_alert):
    old = make_alert(feature="amount", status="resolved", minutes=0)
    mid = make_alert(feature="amount", minutes=5)
    new = make_alert(kind="no_traffic", feature="", minutes=10)
    body = client.get("/api/v1/alerts").json()
    assert [a["id"] for a in body["items"]] == [new, mid, old]
    assert body["counts"] == {"open": 2, "acknowledged": 0, "resolved": 1}
    item = body["items"][0]
    assert set(item) == {
        "id",
        "kind",
        "feature",
        "severity",
        "status",
        "message",
        "value",
        "threshold",
        "opened_at",
        "updated_at",
        "acknowledged_at",
        "resolved_at",
        "incident_id",
    }
    assert item["incident_id"] is None  # stored directly, not by the worker: no incident groups it
    assert item["opened_at"].startswith("2026-11-23T10:10:00")
    only_resolved = client.get("/api/v1/alerts", params={"status": "resolved"}).json()
    assert [a["id"] for a in only_resolved["items"]] == [old]
    assert [a["id"] for a in client.get("/api/v1/alerts", params={"limit": 1}).json()["items"]] == [new]


def test_open_acknowledged_resolved_lifecycle(client, make_alert):
    alert_id = make_alert()
    acked = client.post(f"/api/v1/alerts/{alert_id}/acknowledge")
    assert acked.status_code == 200, acked.text
    assert acked.json()["status"] == "acknowledged" and acked.json()["acknowledged_at"]
    resolved = client.post(f"/api/v1/alerts/{alert_id}/resolve").json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert resolved["updated_at"] >= acked.json()["updated_at"]
    assert client.get("/api/v1/alerts").json()["counts"] == {"open": 0, "acknowledged": 0, "resolved": 1}


def test_open_alert_can_be_resolved_directly(client, make_alert):
    alert_id = make_alert()
    assert client.post(f"/api/v1/alerts/{alert_id}/resolve").json()["status"] == "resolved"


@pytest.mark.parametrize(
    "status, action",
    [
        ("resolved", "acknowledge"),
        ("resolved", "resolve"),
        ("acknowledged", "acknowledge"),
    ],
)
def test_disallowed_transitions_are_409(client, make_alert, status, action):
    alert_id = make_alert(status=status)
    response = client.post(f"/api/v1/alerts/{alert_id}/{action}")
    assert response.status_code == 409
    assert status in response.json()["detail"]


def test_unknown_alert_is_404(client):
    for action in ("acknowledge", "resolve"):
        response = client.post(f"/api/v1/alerts/999999/{action}")
        assert response.status_code == 404 and "999999" in response.json()["detail"]


@pytest.mark.parametrize(
    "params, field", [({"status": "closed"}, "status"), ({"limit": 0}, "limit"), ({"limit": 5000}, "limit")]
)
def test_bad_query_is_422_naming_the_field(client, params, field):
    response = client.get("/api/v1/alerts", params=params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"query.{field}:")
