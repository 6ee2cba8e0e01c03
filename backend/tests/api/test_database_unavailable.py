"""With the database gone, every route answers: its result, or a 503 problem that
names no host, port or driver; never a 500. And a bug stays a 500.

A backend serves only what the registry says: started without its database it
scores nothing (503 with Retry-After, ``/ready`` names the registry) until it has
read the registry, and once it has, it keeps scoring with the champions it loaded
while the database is away."""

from __future__ import annotations

import logging
import re
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError, OperationalError

from app.main import create_app
from driftwatch_testing import auth, database_behind_proxy, run_backend, until_ready

QUERY = {"feature": "amount"}
PATH_PARAMS = re.compile(r"\{[^}]+\}")
MODEL = "fraud"


def _requests(schema: dict):
    """One plausible request per documented operation: path ids, required query, the body's example."""
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = {
                p["name"]: QUERY[p["name"]]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            }
            body = None
            if request_body := operation.get("requestBody"):
                (media,) = request_body["content"].values()
                body = components[media["schema"]["$ref"].rsplit("/", 1)[-1]]["examples"][0]
            yield method.upper(), PATH_PARAMS.sub("1", path.replace("{name}", MODEL)), params, body


@pytest.mark.slow
def test_every_route_answers_without_a_500_or_internals_while_the_database_is_down(
    database_url, demo_model, tmp_path, transaction
):
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        with (
            run_backend(via_proxy, tmp_path / "backend.log") as base,
            httpx.Client(base_url=base, headers=auth(), timeout=30) as client,
        ):
            requests = list(_requests(client.get("/openapi.json").json()))
            proxy.cut()
            answers = {
                (method, path): client.request(method, path, params=params, json=body)
                for method, path, params, body in requests
            }
            log = (tmp_path / "backend.log").read_text()

    assert len(answers) >= 20
    failed = {k: (r.status_code, r.text) for k, r in answers.items() if r.status_code >= 500 and r.status_code != 503}
    assert not failed
    unavailable = {k: r for k, r in answers.items() if r.status_code == 503}
    # Everything that reads or writes the database now waits for it.
    for route in [
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/simulator"),
        ("POST", "/api/v1/feedback"),
        ("GET", "/api/v1/alerts"),
        ("GET", f"/api/v1/models/{MODEL}/drift"),
        ("GET", "/api/v1/models"),
        ("PUT", "/api/v1/simulator"),
        ("GET", "/api/v1/ready"),
    ]:
        assert route in unavailable, (route, answers[route].status_code, answers[route].text)
    internals = re.compile(rf"postgres|psycopg|127\.0\.0\.1|{proxy.port}|5432|connection to server", re.I)
    for key, response in unavailable.items():
        assert not internals.search(response.text), (key, response.text)
        if key != ("GET", "/api/v1/ready"):
            assert response.headers["retry-after"].isdigit(), key
            assert response.json()["title"] == "Service Unavailable", key
    assert unavailable[("GET", "/api/v1/ready")].json()["database_error"] == "database unreachable"
    # Scoring does not need the database once the registry was read: the champion answers, rows are queued.
    assert answers[("POST", "/api/v1/predict")].status_code == 200
    assert answers[("POST", f"/api/v1/models/{MODEL}/predict")].status_code == 200
    assert answers[("POST", f"/api/v1/models/{MODEL}/predict/batch")].status_code == 200
    assert "database unavailable (OperationalError" in log


@pytest.mark.slow
def test_a_backend_started_without_its_database_scores_once_it_has_read_the_registry(
    settings, database_url, demo_model, transaction
):
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        proxy.cut()  # down before the backend starts
        app = create_app(settings.model_copy(update={"database_url": via_proxy}))
        with TestClient(app, headers=auth()) as client:
            for path in ("/api/v1/predict", f"/api/v1/models/{MODEL}/predict"):
                refused = client.post(path, json=transaction)
                assert refused.status_code == 503, (path, refused.text)
                assert refused.headers["retry-after"].isdigit() and "registry" in refused.json()["detail"]
            unread = client.get("/api/v1/ready")
            assert unread.status_code == 503 and unread.json()["missing"] == ["database", "registry"]
            assert "registry" in unread.json()["registry_error"]

            proxy.start()
            until_ready(client, timeout_s=60)  # the start-up thread retries: it migrates, then reads
            deadline = time.monotonic() + 30
            while (scored := client.post("/api/v1/predict", json=transaction)).status_code == 503:
                assert time.monotonic() < deadline, scored.text
                time.sleep(0.2)
            assert scored.status_code == 200 and scored.json()["model"] == MODEL
            ready = client.get("/api/v1/ready")
            assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "registry": True}


class _Failing:
    """A session factory whose sessions fail with ``exc`` on first use."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def __call__(self):
        raise self.exc


def _driver_error(cls, text: str):
    return cls("SELECT 1", {}, Exception(text))


def test_the_log_line_names_the_cause_without_the_password(settings, demo_model, caplog):
    secret = "postgresql://driftwatch:hunter2@db.internal:5432/driftwatch password=hunter2"
    with TestClient(create_app(settings), headers=auth()) as client:
        client.app.state.driftwatch.session_factory = _Failing(_driver_error(OperationalError, secret))
        with caplog.at_level(logging.WARNING, logger="app.api.errors"):
            response = client.get("/api/v1/alerts")
    assert response.status_code == 503 and response.headers["retry-after"].isdigit()
    assert "db.internal" not in response.text and "hunter2" not in response.text
    (line,) = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
    assert "GET /api/v1/alerts" in line and "db.internal" in line and "hunter2" not in line


def test_an_error_that_is_not_an_outage_stays_a_500_problem(settings, demo_model):
    with TestClient(create_app(settings), headers=auth(), raise_server_exceptions=False) as client:
        client.app.state.driftwatch.session_factory = _Failing(_driver_error(DataError, "value out of range"))
        response = client.get("/api/v1/alerts")
    assert response.status_code == 500
    assert response.json() == {
        "status": 500,
        "title": "Internal Server Error",
        "detail": "internal error; the server log has the details",
    }
