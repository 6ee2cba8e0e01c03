"""GET /stats: totals, last-minute rate, positive rate and latency percentiles."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from driftwatch_core.db.models import Prediction, utcnow


def _rows(version: str, n: int, age_s: float, latency: list[float], fraud: int) -> list[dict]:
    now = utcnow()
    return [
        {
            "id": uuid.uuid4(),
            "created_at": now - timedelta(seconds=age_s),
            "model_name": "fraud",
            "model_version": version,
            "features": {},
            "probability": 0.9 if i < fraud else 0.01,
            "is_fraud": i < fraud,
            "threshold": 0.5,
            "latency_ms": latency[i],
        }
        for i in range(n)
    ]


def test_stats_count_the_last_minute_and_the_total(client, engine):
    version = client.get("/api/v1/model").json()["version"]
    recent_latency = [float(v) for v in range(1, 101)]
    with engine.begin() as conn:
        conn.execute(insert(Prediction), _rows(version, 100, 5, recent_latency, fraud=10))
        conn.execute(insert(Prediction), _rows(version, 50, 600, [500.0] * 50, fraud=50))
    body = client.get("/api/v1/stats").json()
    assert body["total_predictions"] == 150 and body["total_positive"] == 60
    assert body["positive_rate"] == pytest.approx(0.4)
    minute = body["last_minute"]
    assert minute["count"] == 100
    assert minute["per_second"] == pytest.approx(100 / 60, abs=1e-3)
    assert minute["positive_rate"] == pytest.approx(0.1)
    for q in (50, 95, 99):  # the old, slow rows are outside the window
        assert minute["latency_ms"][f"p{q}"] == pytest.approx(np.percentile(recent_latency, q), abs=1e-3)
    assert (body["model"], body["model_version"], body["pending_writes"]) == ("fraud", version, 0)


def test_stats_of_an_empty_service_say_so(client):
    body = client.get("/api/v1/stats").json()
    assert body["total_predictions"] == 0 and body["positive_rate"] is None
    assert body["last_minute"]["latency_ms"] == {"p50": None, "p95": None, "p99": None}


def test_served_predictions_show_up_in_stats(client, transaction):
    for _ in range(5):
        assert client.post("/api/v1/predict", json=transaction).status_code == 200
    client.app.state.driftwatch.writer.wait_written(5.0)
    time.sleep(1.05)  # one computation per second is shared by every caller
    assert client.get("/api/v1/stats").json()["last_minute"]["count"] == 5


def test_history_replays_the_last_minute_figures_of_the_past(client, engine):
    version = client.get("/api/v1/model").json()["version"]
    with engine.begin() as conn:  # 30 slow positive rows 3.5 minutes ago, 20 fast negative ones now
        conn.execute(insert(Prediction), _rows(version, 30, 210, [80.0] * 30, fraud=30))
        conn.execute(insert(Prediction), _rows(version, 20, 2, [float(v) for v in range(1, 21)], fraud=0))
    body = client.get("/api/v1/stats/history", params={"minutes": 5, "step_seconds": 30}).json()
    assert (body["window_seconds"], body["step_seconds"]) == (60, 30)
    points = body["points"]
    assert len(points) == 11  # 5 minutes every 30 s, both ends included
    times = [p["as_of"] for p in points]
    assert times == sorted(times)
    by_age = {10 * round((len(points) - 1 - i) * 3): p["last_minute"] for i, p in enumerate(points)}
    assert by_age[0] == client.get("/api/v1/stats").json()["last_minute"]
    assert by_age[0]["count"] == 20 and by_age[0]["positive_rate"] == 0.0
    # 3 minutes ago the trailing minute held exactly the slow positive rows (ages 180-240 s).
    assert by_age[180]["count"] == 30 and by_age[180]["positive_rate"] == 1.0
    assert by_age[180]["latency_ms"] == {"p50": 80.0, "p95": 80.0, "p99": 80.0}
    assert by_age[90]["count"] == 0 and by_age[90]["latency_ms"]["p50"] is None
    assert by_age[300]["count"] == 0


@pytest.mark.parametrize("params, field", [({"step_seconds": 1}, "step_seconds"), ({"minutes": 31}, "minutes")])
def test_history_bounds_its_arguments(client, params, field):
    response = client.get("/api/v1/stats/history", params=params)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == f"query.{field}"
