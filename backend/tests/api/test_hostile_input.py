"""Input the API must refuse cleanly: the right 4xx with a body that names the problem, never a 500."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schemas.errors import Problem, ValidationProblem
from driftwatch_core.db.models import utcnow
from driftwatch_testing import add_open_alert, auth, until_ready

JSON = {"content-type": "application/json"}


def _problem(response, status: int) -> Problem:
    assert response.status_code == status, response.text
    problem = Problem.model_validate(response.json())
    assert problem.status == status and problem.detail
    return problem


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [e.field for e in ValidationProblem.model_validate(response.json()).errors]


# --- 1. Only JSON bodies ----------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda c, t: c.post("/api/v1/predict", content=json.dumps(t), headers={"content-type": "text/plain"}),
            id="text/plain",
        ),
        pytest.param(lambda c, t: c.post("/api/v1/predict", content=json.dumps(t).encode()), id="no content type"),
        pytest.param(lambda c, t: c.post("/api/v1/predict", data={k: str(v) for k, v in t.items()}), id="form"),
        pytest.param(lambda c, t: c.post("/api/v1/predict", files={"file": ("t.json", json.dumps(t))}), id="multipart"),
        pytest.param(
            lambda c, t: c.put(
                "/api/v1/simulator", content='{"scenario": "none"}', headers={"content-type": "application/xml"}
            ),
            id="put as xml",
        ),
    ],
)
def test_a_body_that_is_not_sent_as_json_is_415_naming_both_types(client, transaction, send):
    problem = _problem(send(client, transaction), 415)
    assert "application/json" in problem.detail and "got" in problem.detail


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/merge-patch+json"])
def test_json_media_types_with_parameters_or_suffixes_are_accepted(client, transaction, content_type):
    response = client.post("/api/v1/predict", content=json.dumps(transaction), headers={"content-type": content_type})
    assert response.status_code == 200, response.text


# --- 2. Input that cannot be encoded back -----------------------------------


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/predict", "POST", '{"amount": "\\ud800"}', "amount"),
        ("/api/v1/predict", "POST", '{"\\ud800": 1}', "body"),
        ("/api/v1/simulator", "PUT", '{"scenario": "sudden", "params": {"\\ud800": 1}}', "params"),
        (
            "/api/v1/simulator",
            "PUT",
            '{"scenario": "sudden", "params": {"features": ["\\ud800"]}}',
            "params.features.0",
        ),
        ("/api/v1/simulator", "PUT", '{"scenario": "sudden", "params": {"magnitude": "\\ud800"}}', "params.magnitude"),
        ("/api/v1/feedback", "POST", '{"prediction_id": "\\udfff", "label": true}', "items.0.prediction_id"),
    ],
)
def test_a_lone_surrogate_is_a_422_that_renders(client, path, method, body, field):
    response = client.request(method, path, content=body, headers=JSON)
    assert field in _fields(response)
    assert b"\\ud" in response.content  # escaped in the JSON, not dropped or raised on


def test_nothing_of_a_refused_scenario_reaches_the_database(client):
    client.put("/api/v1/simulator", content='{"scenario": "sudden", "params": {"\\ud800": 1}}', headers=JSON)
    assert client.get("/api/v1/simulator").json()["scenario"] == "none"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"amount": "\xff\xfe"}', "UTF-8"),
        (b'{"amount": ' + b"9" * 5000 + b"}", "number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (b'{"amount": ', "Expecting value"),
    ],
)
def test_a_body_that_is_not_json_is_a_422_saying_why(client, body, reason):
    response = client.post("/api/v1/predict", content=body, headers=JSON)
    assert _fields(response) == ["body"]
    (error,) = response.json()["errors"]
    assert error["type"] == "json_invalid" and reason in error["message"] and error["input"] is None


def test_long_inputs_are_echoed_cut_short(client, transaction):
    response = client.post("/api/v1/predict", json={**transaction, "merchant_category": "x" * 100_000})
    (error,) = response.json()["errors"]
    assert error["field"] == "merchant_category" and len(error["input"]) <= 201


# --- 3. Timestamps out of range ---------------------------------------------


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/predictions", "since"),
        ("/api/v1/predictions", "until"),
        ("/api/v1/performance", "since"),
        ("/api/v1/drift/history", "since"),
    ],
)
def test_a_time_out_of_range_in_utc_is_a_422_naming_the_parameter(client, path, param, value):
    response = client.get(path, params={param: value, "feature": "amount"})
    assert _fields(response) == [f"query.{param}"]
    assert "out of range" in response.json()["detail"]


def test_a_time_without_offset_is_utc(client, transaction):
    client.post("/api/v1/predict", json=transaction)
    client.app.state.driftwatch.writer.wait_written(5.0)
    before = (utcnow() - timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    after = (utcnow() + timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    assert client.get("/api/v1/predictions", params={"since": before}).json()["total"] == 1
    assert client.get("/api/v1/predictions", params={"since": after}).json()["total"] == 0
    assert client.get("/api/v1/predictions", params={"until": before}).json()["total"] == 0


# --- 5. Whole numbers and labels --------------------------------------------


def test_a_whole_float_is_an_integer(client, transaction):
    response = client.post("/api/v1/predict", json={**transaction, "hour_of_day": 5.0, "txn_count_24h": 2.0})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", [5.5, "5", True, 1e300])
def test_other_values_for_an_integer_are_refused(client, transaction, value):
    assert _fields(client.post("/api/v1/predict", json={**transaction, "hour_of_day": value})) == ["hour_of_day"]


@pytest.mark.parametrize(("sent", "stored"), [(1, True), (0, False), (True, True), (False, False)])
def test_labels_are_booleans_or_one_and_zero(client, transaction, sent, stored):
    pid = client.post("/api/v1/predict", json=transaction).json()["prediction_id"]
    assert client.post("/api/v1/feedback", json={"prediction_id": pid, "label": sent}).status_code == 200
    item = client.get("/api/v1/predictions").json()["items"][0]
    assert item["prediction_id"] == pid and item["label"] is stored


@pytest.mark.parametrize("label", [2, -1, 0.5, "1", "true", None])
def test_other_labels_are_refused(client, label):
    response = client.post("/api/v1/feedback", json={"prediction_id": str(uuid.uuid4()), "label": label})
    assert _fields(response) == ["items.0.label"]
    assert "true, false, 1 or 0" in response.json()["detail"]


def test_the_label_schema_says_booleans_or_one_and_zero(client):
    label = client.get("/openapi.json").json()["components"]["schemas"]["FeedbackItem"]["properties"]["label"]
    assert label["anyOf"] == [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]}]


# --- 6. Too many items, and feedback's own 422 ------------------------------


def test_too_many_feedback_items_is_422_naming_the_field(client):
    items = [{"prediction_id": str(uuid.uuid4()), "label": True} for _ in range(10_001)]
    response = client.post("/api/v1/feedback", json={"items": items})
    assert _fields(response) == ["items"] and response.json()["errors"][0]["type"] == "too_long"


def test_two_labels_for_one_prediction_is_a_validation_problem(client, transaction):
    pid = client.post("/api/v1/predict", json=transaction).json()["prediction_id"]
    items = [{"prediction_id": pid, "label": 1}, {"prediction_id": pid, "label": 0}]
    response = client.post("/api/v1/feedback", json={"items": items})
    assert _fields(response) == ["items"]
    assert f"item 1: prediction {pid} is given two labels" in response.json()["detail"]
    # The same label twice is one label.
    items[1]["label"] = True
    assert client.post("/api/v1/feedback", json={"items": items}).json() == {"stored": 1, "unchanged": 0}


def test_feedback_problems_name_the_ids(client):
    unknown = str(uuid.uuid4())
    response = client.post("/api/v1/feedback", json={"prediction_id": unknown, "label": True})
    _problem(response, 404)
    assert response.json()["prediction_ids"] == [unknown]


# --- 4. Declared body size --------------------------------------------------


@pytest.fixture
def small_limit_client(settings, demo_model):
    with TestClient(create_app(settings.model_copy(update={"max_body_bytes": 4096})), headers=auth()) as c:
        yield until_ready(c)


def test_a_declared_length_over_the_limit_is_413_before_anything_is_read(small_limit_client, transaction):
    big = {"rows": [transaction] * 40}
    problem = _problem(small_limit_client.post("/api/v1/predict/batch", json=big), 413)
    assert "4096" in problem.detail
    assert small_limit_client.post("/api/v1/predict/batch", json={"rows": [transaction]}).status_code == 200


def _chunked(size: int, piece: int = 64 * 1024):
    """A body of ``size`` bytes sent without a Content-Length (chunked), as a stream."""
    for start in range(0, size, piece):
        yield b" " * min(piece, size - start)


def test_a_chunked_body_over_the_limit_is_413_even_where_the_route_takes_none(small_limit_client, engine):
    """A route without a body never reads one, so only the guard can measure it: before the route runs
    (the alert stays open), whether the route takes a body (rollback: optional) or none (acknowledge)."""
    alert = add_open_alert(engine)
    for path in (
        f"/api/v1/alerts/{alert}/acknowledge",
        "/api/v1/incidents/1/acknowledge",
        "/api/v1/models/fraud/rollback",
    ):
        response = small_limit_client.post(path, content=_chunked(5 * 1024 * 1024), headers=JSON)
        assert "content-length" not in response.request.headers
        assert "4096" in _problem(response, 413).detail, path
    assert small_limit_client.get("/api/v1/alerts").json()["items"][0]["status"] == "open"
    small = small_limit_client.post(f"/api/v1/alerts/{alert}/acknowledge", content=_chunked(100), headers=JSON)
    assert small.status_code == 200 and small.json()["status"] == "acknowledged"  # a body it ignores


# --- 8. 405 lists every method ----------------------------------------------


@pytest.mark.parametrize("method", ["OPTIONS", "PATCH", "DELETE"])
def test_405_allows_every_method_of_the_path(client, method):
    response = client.request(method, "/api/v1/simulator")
    _problem(response, 405)
    assert response.headers["allow"] == "GET, PUT"


def test_unknown_paths_are_a_404_problem(client):
    assert "/api/v1/nowhere" in _problem(client.get("/api/v1/nowhere"), 404).detail


# --- 9. Every status documented ---------------------------------------------


def _responses(client, path: str, method: str) -> dict:
    return client.get("/openapi.json").json()["paths"][path][method]["responses"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/predict", "post", {"200", "401", "403", "404", "413", "415", "422", "429", "503"}),
        (
            "/api/v1/models/{name}/explain",
            "post",
            {"200", "401", "403", "404", "409", "413", "415", "422", "429", "503"},
        ),
        ("/api/v1/feedback", "post", {"200", "401", "403", "404", "409", "413", "415", "422", "429", "503"}),
        ("/api/v1/alerts/{alert_id}/acknowledge", "post", {"200", "401", "403", "404", "409", "422", "429", "503"}),
        ("/api/v1/simulator", "get", {"200", "429", "503"}),
        ("/api/v1/drift/history", "get", {"200", "404", "422", "429", "503"}),
        ("/api/v1/health", "get", {"200", "429"}),
        ("/api/v1/metrics", "get", {"200", "429"}),
    ],
)
def test_each_route_documents_the_statuses_it_can_answer(client, path, method, statuses):
    responses = _responses(client, path, method)
    assert set(responses) == statuses
    for status in statuses - {"200", "422"}:
        (media,) = responses[status]["content"].values()
        assert media["schema"]["$ref"].rsplit("/", 1)[-1] in ("Problem", "FeedbackProblem"), status
    assert "Retry-After" in responses["429"]["headers"]


def test_reads_document_401_only_when_they_need_a_key(settings, clean_db):
    app = create_app(settings.model_copy(update={"require_auth_for_reads": True}))
    with TestClient(app, headers=auth()) as c:
        assert "401" in _responses(c, "/api/v1/stats", "get")
        assert "401" not in _responses(c, "/api/v1/health", "get")


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/models/fr%00aud"),
        ("get", "/api/v1/models/%00/drift"),
        ("get", "/api/v1/models/%00/events"),
        ("post", "/api/v1/models/fraud/versions/%00/promote"),
        ("get", "/api/v1/alerts/%00"),
    ],
)
def test_a_nul_byte_in_a_path_is_a_404_not_a_500(client, method, path):
    answer = client.request(method, path, json={} if method == "post" else None)
    assert answer.status_code == 404 and "NUL" in answer.json()["detail"]
