"""Health, readiness (through a real database outage) and Prometheus metrics."""

from __future__ import annotations

import time

import httpx
import pytest

from driftwatch_testing import auth, database_behind_proxy, run_backend, until_ready


def test_health_touches_nothing(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/health").status_code == 200


#: A database nobody answers at: the connection is refused at once (nothing listens on port 1).
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"


def test_an_empty_registry_is_ready_and_scoring_names_the_missing_model(settings, clean_db, transaction):
    """No model is built in: with nothing registered the backend is ready, and scoring the default
    model is a 404 that says where the registered models are listed."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings), headers=auth()) as c:
        until_ready(c)
        ready = c.get("/api/v1/ready")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "registry": True}
        for path in ("/api/v1/predict", "/api/v1/models/fraud/predict"):
            response = c.post(path, json=transaction)
            assert response.status_code == 404, path
            assert response.json()["detail"] == "no model named 'fraud': GET /api/v1/models lists them"


def test_before_the_registry_is_read_scoring_is_a_503_and_ready_names_the_registry(settings, transaction):
    """A backend whose database has never answered serves no model (none is loaded from anywhere
    else): scoring answers 503 with Retry-After, and /ready says the registry is unread."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings.model_copy(update={"database_url": UNREACHABLE})), headers=auth()) as c:
        ready = c.get("/api/v1/ready")
        assert ready.status_code == 503
        assert ready.json()["missing"] == ["database", "registry"]
        assert "registry" in ready.json()["registry_error"]
        for path in ("/api/v1/predict", "/api/v1/models/fraud/predict", "/api/v1/predict/batch"):
            response = c.post(path, json=transaction if "batch" not in path else {"rows": [transaction]})
            assert response.status_code == 503, (path, response.text)
            assert response.headers["retry-after"].isdigit() and response.json()["title"] == "Service Unavailable"


def _wait_status(url: str, status: int, timeout_s: float = 20) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = httpx.get(url, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


@pytest.mark.slow
def test_ready_turns_503_when_the_database_goes_away_and_back(database_url, demo_model, tmp_path, transaction):
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        with run_backend(via_proxy, tmp_path / "backend.log") as base:
            proxy.cut()
            down = _wait_status(f"{base}/api/v1/ready", 503)
            assert down.status_code == 503 and down.json()["missing"] == ["database"]  # the registry was read
            # The champion it loaded still answers: predictions are queued, not lost.
            scored = httpx.post(f"{base}/api/v1/predict", json=transaction, timeout=5, headers=auth())
            assert scored.status_code == 200
            proxy.start()
            assert _wait_status(f"{base}/api/v1/ready", 200).status_code == 200
            listed = _wait_until_listed(base, scored.json()["prediction_id"])
            assert listed


def _wait_until_listed(base: str, prediction_id: str, timeout_s: float = 20) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        items = httpx.get(f"{base}/api/v1/predictions", timeout=5).json()["items"]
        if any(i["prediction_id"] == prediction_id for i in items):
            return True
        time.sleep(0.3)
    return False
