"""POST/GET /api/v1/models/{name}/retrain: queued at once (202) or refused saying why; admin only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import TEST_PREDICT_KEY, auth, until_ready

URL = "/api/v1/models/fraud/retrain"


@pytest.fixture
def api(retrain_settings, demo_model):
    """The real app, the demo model registered, without its runner: queued jobs stay queued, so the
    answers are the route's own."""
    with TestClient(create_app(retrain_settings()), headers=auth()) as client:
        yield until_ready(client)


def test_retraining_is_queued_once_refused_with_reasons_and_listed(api, champion, store):
    few = TransactionGenerator(seed=31).sample(40)
    store(champion, few.records(), few.labels)
    refused = api.post(URL, json={})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["detail"].startswith("only 40 labelled predictions of fraud since ")
    assert problem["detail"].endswith("retraining needs at least 200 (both classes)")
    assert problem["labels"]["labelled"] == 40
    assert api.get(URL).json() == []  # nothing was queued

    more = TransactionGenerator(seed=32).sample(400)
    store(champion, more.records(), more.labels)
    queued = api.post(URL, json={"trials": 3, "window_minutes": 90})
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["status"] == "queued" and job["trigger"] == "manual" and job["model"] == "fraud"
    assert job["params"] == {"trials": 3, "window_minutes": 90.0}
    assert job["requested_by"].startswith("admin:") and job["progress"] == "queued"
    assert job["started_at"] is None and job["version"] is None and job["error"] is None

    again = api.post(URL)  # no body: the defaults
    assert again.status_code == 409
    assert again.json()["job_id"] == job["id"] and "already queued" in again.json()["detail"]

    listed = api.get(URL)
    assert listed.status_code == 200 and [j["id"] for j in listed.json()] == [job["id"]]
    one = api.get(f"{URL}/{job['id']}")
    assert one.status_code == 200 and one.json() == job
    assert api.get(f"{URL}/{job['id'] + 1}").status_code == 404
    assert api.get(f"/api/v1/models/other/retrain/{job['id']}").status_code == 404


def test_unknown_models_and_bad_bodies(api):
    unknown = api.post("/api/v1/models/nope/retrain", json={})
    assert unknown.status_code == 404 and "no model named 'nope'" in unknown.json()["detail"]
    assert api.get("/api/v1/models/nope/retrain").status_code == 404
    for path in ("/api/v1/models/%00/retrain", "/api/v1/models/Fraud%20%27x/retrain/1"):  # never a 500
        assert api.get(path).status_code == 404
    assert api.post("/api/v1/models/%00/retrain", json={}).status_code == 404
    for body, field in (
        ({"trials": 51}, "trials"),
        ({"trials": 1.5}, "trials"),
        ({"trials": "3"}, "trials"),
        ({"window_minutes": 0}, "window_minutes"),
        ({"surprise": 1}, "surprise"),
    ):
        answer = api.post(URL, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["errors"][0]["field"] == field


def test_only_an_admin_may_retrain(api):
    anonymous = api.post(URL, json={}, headers={"X-API-Key": ""})
    assert anonymous.status_code == 401
    predict_only = api.post(URL, json={}, headers=auth(TEST_PREDICT_KEY))
    assert predict_only.status_code == 403 and "admin" in predict_only.json()["detail"]
    assert api.get(URL, headers={"X-API-Key": ""}).status_code == 200  # reads are open by default
