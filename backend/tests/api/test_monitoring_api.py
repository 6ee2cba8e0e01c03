"""/drift, /drift/summary, /drift/history and /performance serve the worker's results.

Traffic goes through the real API (/predict/batch, /feedback) and one real
worker cycle computes the results, so the shapes are the ones production sees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from driftwatch_core.features import FEATURE_NAMES, SCORE_NAME
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_testing import DEMO_MODEL

SHIFT = Drift(
    scale={"amount": 3.0, "distance_from_home_km": 5.0, "distance_from_last_txn_km": 5.0, "account_age_days": 0.2},
    shift={"hour_of_day": 8.0},
    category_probs={"merchant_category": {"electronics": 0.6, "jewelry": 0.4}, "entry_mode": {"online": 1.0}},
    boolean_rates={"card_present": 0.05, "is_international": 0.7},
)


def send(client, batch, label_share: float = 0.0) -> None:
    body = {"rows": batch.records()}
    answer = client.post("/api/v1/predict/batch", json=body)
    assert answer.status_code == 200, answer.text
    ids = [p["prediction_id"] for p in answer.json()["predictions"]]
    n_labels = int(len(ids) * label_share)
    if n_labels:
        items = [{"prediction_id": i, "label": bool(y)} for i, y in zip(ids, batch.labels[:n_labels], strict=False)]
        assert client.post("/api/v1/feedback", json={"items": items}).status_code == 200
    assert client.app.state.driftwatch.writer.wait_written(10)


@pytest.fixture
def run_cycle(settings):
    from driftwatch_core.db.engine import make_engine
    from worker.config import WorkerSettings
    from worker.cycle import Monitor

    engine = make_engine(settings.database_url, pool_size=2)
    monitor = Monitor(WorkerSettings(database_url=settings.database_url, min_labels=10), engine)
    yield lambda offset_s=1: monitor.run_cycle(datetime.now(UTC) + timedelta(seconds=offset_s))
    engine.dispose()


def test_before_any_cycle_everything_says_no_data(client):
    drift = client.get("/api/v1/drift").json()
    assert drift == {"status": "no_data", "run": None, "features": [], "score": None, "thresholds": {}}
    summary = client.get("/api/v1/drift/summary").json()
    assert summary["status"] == "no_data" and summary["dataset_drift"] is None
    assert summary["drifted_features"] == [] and summary["prediction_drift"] is None
    perf = client.get("/api/v1/performance").json()
    assert perf["realized"] == [] and perf["latest"] == {"realized": None, "estimated": None}


def test_drift_lists_every_feature_with_values_and_histograms(client, run_cycle):
    send(client, TransactionGenerator(seed=21).sample(600), label_share=0.5)
    run_cycle()
    body = client.get("/api/v1/drift").json()
    assert body["status"] == "ok" and body["run"]["n_rows"] == 600
    assert [f["feature"] for f in body["features"]] == list(FEATURE_NAMES)
    for f in body["features"]:
        assert f["test"] == ("ks" if f["kind"] == "numeric" else "chi2")
        assert f["psi"] is not None and 0 <= f["p_value"] <= 1 and f["n_current"] == 600
        assert f["severity"] in ("none", "moderate", "significant")
        assert len(f["histogram"]["bins"]) == len(f["histogram"]["reference"])
        assert sum(f["histogram"]["current"]) == pytest.approx(1.0, abs=1e-3)
        assert f["window_end"].endswith("Z") or f["window_end"].endswith("+00:00")
    assert body["score"]["feature"] == SCORE_NAME and body["score"]["kind"] == "numeric"
    assert body["thresholds"]["psi_moderate"] == 0.1 and body["thresholds"]["psi_significant"] == 0.25
    assert {"alpha", "ks_floor", "dataset_drift_share"} <= set(body["thresholds"])


def test_shifted_traffic_shows_in_summary_history_and_alerts(client, run_cycle):
    send(client, TransactionGenerator(seed=22).sample(400))
    send(client, TransactionGenerator(seed=23).sample(400, SHIFT))
    first = run_cycle(1)
    run_cycle(31)
    summary = client.get("/api/v1/drift/summary").json()
    assert summary["status"] == "ok" and summary["dataset_drift"] is True
    assert "amount" in summary["drifted_features"] and summary["n_features"] == len(FEATURE_NAMES)
    assert summary["drift_share"] >= 0.5 and "50%" in summary["rule"]
    assert summary["prediction_drift"]["drifted"] is True
    amount = next(f for f in client.get("/api/v1/drift").json()["features"] if f["feature"] == "amount")
    assert amount["severity"] == "significant" and amount["drifted"]
    history = client.get("/api/v1/drift/history", params={"feature": "amount"}).json()
    assert history["feature"] == "amount" and len(history["points"]) == 2
    assert history["points"][0]["run_id"] == first[DEMO_MODEL].run_id  # oldest first
    assert history["points"][0]["severity"] == "significant"
    score = client.get("/api/v1/drift/history", params={"feature": SCORE_NAME}).json()
    assert len(score["points"]) == 2
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/drift/history", params={"feature": "amount", "since": future}).json()["points"] == []
    alerts = client.get("/api/v1/alerts").json()
    assert alerts["counts"]["open"] >= 3


def test_performance_serves_realized_and_estimated_series(client, run_cycle):
    send(client, TransactionGenerator(seed=24).sample(1_000), label_share=0.6)
    run_cycle()
    body = client.get("/api/v1/performance").json()
    assert len(body["realized"]) == len(body["estimated"]) == 1
    realized, estimated = body["latest"]["realized"], body["latest"]["estimated"]
    assert realized == body["realized"][0] and estimated == body["estimated"][0]
    assert realized["n_rows"] == 600 and realized["label_coverage"] == pytest.approx(0.6)
    assert realized["label_lag_s"] >= 0 and 0 <= realized["accuracy"] <= 1
    assert estimated["n_rows"] == 1_000 and estimated["label_coverage"] is None
    for key in (
        "roc_auc",
        "pr_auc",
        "precision",
        "recall",
        "f1",
        "cost_total",
        "false_positives",
        "false_negatives",
        "computed_at",
        "window_start",
        "window_end",
    ):
        assert key in realized and key in estimated
    assert body["costs"] == {"false_positive": 50.0, "false_negative": 500.0}


@pytest.mark.parametrize(
    "params, status, field",
    [
        ({"feature": "nope"}, 404, "feature"),
        ({}, 422, "feature"),
        ({"feature": "amount", "since": "yesterday"}, 422, "since"),
    ],
)
def test_history_errors_name_the_field(client, params, status, field):
    response = client.get("/api/v1/drift/history", params=params)
    assert response.status_code == status
    assert field in response.text


def test_performance_since_must_be_a_date(client):
    response = client.get("/api/v1/performance", params={"since": "soon"})
    assert response.status_code == 422 and "since" in response.text
