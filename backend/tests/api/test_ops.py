"""Health, readiness (through a real database outage) and Prometheus metrics."""

from __future__ import annotations

import time

import httpx

from driftwatch_testing import auth, database_behind_proxy, run_backend


def test_health_touches_nothing(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    assert client.get("/health").status_code == 200


def test_ready_names_a_missing_model(settings, clean_db, tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app

    empty = settings.model_copy(update={"model_dir": tmp_path})
    with TestClient(create_app(empty), headers=auth()) as c:
        deadline = time.monotonic() + 10
        while not (response := c.get("/api/v1/ready")).json()["checks"]["database"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert response.status_code == 503
        assert response.json()["missing"] == ["model"]
        assert "train_model.sh" in response.json()["model_error"]
        assert c.post("/api/v1/predict", json={}).status_code in (422, 503)


def test_metrics_count_what_was_served(client, transaction, fraud_like):
    for _ in range(3):
        client.post("/api/v1/predict", json=transaction)
    client.post("/api/v1/predict", json=fraud_like)
    client.post("/api/v1/predict", json={"amount": -1})
    text = client.get("/metrics").text
    assert 'driftwatch_predictions_total{outcome="legit"} 3.0' in text
    assert 'driftwatch_predictions_total{outcome="fraud"} 1.0' in text
    assert 'driftwatch_http_requests_total{method="POST",route="/api/v1/predict",status="200"} 4.0' in text
    assert 'driftwatch_http_requests_total{method="POST",route="/api/v1/predict",status="422"} 1.0' in text
    assert "driftwatch_prediction_score_count 4.0" in text
    assert 'driftwatch_model_info{version="' in text
    assert "driftwatch_pending_writes" in text


def _wait_status(url: str, status: int, timeout_s: float = 20) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = httpx.get(url, timeout=5)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_ready_turns_503_when_the_database_goes_away_and_back(database_url, model_dir, clean_db, tmp_path, transaction):
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        with run_backend(via_proxy, model_dir, tmp_path / "backend.log") as base:
            proxy.cut()
            down = _wait_status(f"{base}/api/v1/ready", 503)
            assert down.status_code == 503 and down.json()["missing"] == ["database"]
            # Predictions are still answered and queued, not lost.
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
