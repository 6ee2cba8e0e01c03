"""The simulator control API: GET/PUT of the active scenario, validated against the catalogue."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from driftwatch_core.db.models import SimulatorControl
from driftwatch_core.features import FEATURE_NAMES
from driftwatch_core.scenarios import SCENARIO_NAMES, SCENARIOS
from driftwatch_testing import insert_demo


def test_get_without_a_row_is_none_with_the_catalogue(client):
    body = client.get("/api/v1/simulator").json()
    assert {k: body[k] for k in ("scenario", "params", "rps", "updated_at", "started_at")} == {
        "scenario": "none",
        "params": {},
        "rps": None,
        "updated_at": None,
        "started_at": None,
    }
    assert [s["name"] for s in body["scenarios"]] == list(SCENARIO_NAMES)
    sudden = next(s for s in body["scenarios"] if s["name"] == "sudden")
    assert sudden["label"] and sudden["description"]
    assert sudden["params"]["magnitude"] == {
        "type": "number",
        "default": 1.0,
        "minimum": 0.0,
        "maximum": 3.0,
        "choices": None,
        "description": SCENARIOS["sudden"].params["magnitude"].description,
    }
    assert sudden["params"]["features"]["choices"] == list(FEATURE_NAMES)


def test_put_stores_the_scenario_with_defaults_filled_in(client, clean_db):
    response = client.put("/api/v1/simulator", json={"scenario": "gradual", "params": {"magnitude": 2}, "rps": 20})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scenario"] == "gradual" and body["rps"] == 20
    assert body["params"] == {"duration_minutes": 10.0, "magnitude": 2.0, "features": list(FEATURE_NAMES)}
    assert body["started_at"] == body["updated_at"] and 0 <= body["elapsed_s"] < 5
    assert client.get("/api/v1/simulator").json()["params"] == body["params"]
    with clean_db.connect() as conn:
        row = conn.execute(select(SimulatorControl)).one()
    assert (row.id, row.scenario, row.rps) == (1, "gradual", 20.0)


def test_same_scenario_or_rate_only_keeps_the_clock_and_a_new_one_restarts_it(client):
    first = client.put("/api/v1/simulator", json={"scenario": "sudden", "rps": 50}).json()
    again = client.put("/api/v1/simulator", json={"scenario": "sudden", "params": {"magnitude": 1}}).json()
    assert again["started_at"] == first["started_at"]
    assert again["rps"] == 50  # omitted rps keeps the rate
    cleared = client.put("/api/v1/simulator", json={"scenario": "sudden", "rps": None}).json()
    assert cleared["rps"] is None and cleared["started_at"] == first["started_at"]
    switched = client.put("/api/v1/simulator", json={"scenario": "sudden", "params": {"magnitude": 2}}).json()
    assert datetime.fromisoformat(switched["started_at"]) > datetime.fromisoformat(first["started_at"])


def test_features_are_kept_in_schema_order_without_repeats(client):
    body = client.put(
        "/api/v1/simulator",
        json={"scenario": "sudden", "params": {"features": ["is_international", "amount", "amount"]}},
    ).json()
    assert body["params"]["features"] == ["amount", "is_international"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"scenario": "tsunami"}, "scenario", "'sudden'"),
        ({"scenario": "sudden", "params": {"magnitud": 1}}, "params.magnitud", "not permitted"),
        ({"scenario": "sudden", "params": {"magnitude": 7}}, "params.magnitude", "less than or equal to 3"),
        (
            {"scenario": "gradual", "params": {"duration_minutes": 0}},
            "params.duration_minutes",
            "greater than or equal",
        ),
        ({"scenario": "sudden", "params": {"features": ["colour"]}}, "params.features.0", "'amount'"),
        ({"scenario": "none", "params": {"magnitude": 1}}, "params.magnitude", "not permitted"),
        ({"scenario": "none", "rps": 500}, "rps", "less than or equal to 200"),
        ({"scenario": "none", "rps": 0}, "rps", "greater than or equal to 1"),
        ({"scenario": "none", "speed": 1}, "speed", "not permitted"),
    ],
)
def test_bad_updates_are_422_naming_the_field(client, body, field, fragment):
    response = client.put("/api/v1/simulator", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == field and fragment in error["message"], error
    assert response.json()["detail"].startswith(f"{field}: ")
    assert client.get("/api/v1/simulator").json()["scenario"] == "none"


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_every_scenario_is_accepted_with_its_defaults(client, name):
    body = client.put("/api/v1/simulator", json={"scenario": name}).json()
    assert body["scenario"] == name
    assert body["params"] == {k: p.default for k, p in SCENARIOS[name].params.items()}


def test_each_new_scenario_is_on_the_timeline_once(client):
    def traffic_events():
        return [e for e in client.get("/api/v1/events").json() if e["kind"] == "scenario"]

    client.put("/api/v1/simulator", json={"scenario": "sudden"})
    client.put("/api/v1/simulator", json={"scenario": "sudden"})  # the same again: no new event
    client.put("/api/v1/simulator", json={"scenario": "sudden", "rps": 40})  # the rate only: none either
    client.put("/api/v1/simulator", json={"scenario": "none"})
    events = traffic_events()
    assert [e["message"] for e in events] == ["Traffic: Normal traffic", "Traffic: Sudden shift"]
    assert events[1]["details"]["scenario"] == "sudden" and events[1]["actor"].startswith("admin:")


def test_the_traffic_goes_to_a_registered_model_and_its_switches_are_that_models_events(client, clean_db):
    insert_demo(clean_db, name="other")
    assert client.get("/api/v1/simulator").json()["model"] == "fraud"  # none stored: DEFAULT_MODEL
    unknown = client.put("/api/v1/simulator", json={"scenario": "sudden", "model": "nope"})
    assert unknown.status_code == 404 and "no model named 'nope'" in unknown.json()["detail"]
    assert client.get("/api/v1/simulator").json()["scenario"] == "none"  # nothing of it was stored
    moved = client.put("/api/v1/simulator", json={"scenario": "sudden", "model": "other"})
    assert moved.status_code == 200 and moved.json()["model"] == "other"
    assert client.get("/api/v1/simulator").json()["model"] == "other"
    assert client.put("/api/v1/simulator", json={"scenario": "none"}).json()["model"] == "other"  # kept

    def switches(model: str) -> list[str]:
        events = client.get(f"/api/v1/models/{model}/events").json()
        return [e["message"] for e in events if e["kind"] == "scenario"]

    assert switches("other") == ["Traffic: Normal traffic", "Traffic: Sudden shift"]
    assert switches("fraud") == []
