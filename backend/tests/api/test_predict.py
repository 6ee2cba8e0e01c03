"""Scoring over HTTP: real model, real database."""

from __future__ import annotations

import json
import math
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.main import create_app
from app.schemas.scoring import ScoredBatch
from driftwatch_core.db.models import Prediction
from driftwatch_core.features import FEATURES
from driftwatch_testing import auth, until_ready


def test_fraud_like_transaction_scores_higher_than_benign(client, transaction, fraud_like):
    benign = client.post("/api/v1/predict", json=transaction).json()
    fraud = client.post("/api/v1/predict", json=fraud_like).json()
    assert fraud["score"] > 0.5 > benign["score"]
    assert fraud["decision"] is True and benign["decision"] is False
    assert (fraud["model"], fraud["stage"]) == ("fraud", "champion")
    assert 0 < benign["threshold"] < 1
    assert benign["latency_ms"] > 0


def test_batch_equals_rows_scored_one_by_one(client, transaction, fraud_like):
    rows = [transaction, fraud_like, {**transaction, "amount": 990.0, "hour_of_day": 2}]
    answer = client.post("/api/v1/predict/batch", json={"rows": rows})
    batch = answer.json()
    ScoredBatch.model_validate(batch)  # the route writes its own answer: it is still what /docs says
    assert answer.headers["x-model-version"] == batch["model_version"]
    singles = [client.post("/api/v1/predict", json=r).json()["score"] for r in rows]
    assert batch["count"] == 3
    assert [p["score"] for p in batch["predictions"]] == pytest.approx(singles, abs=1e-6)
    assert len({p["prediction_id"] for p in batch["predictions"]}) == 3


def test_predictions_are_stored_with_their_features(client, clean_db, transaction):
    answer = client.post("/api/v1/predict", json=transaction).json()
    client.app.state.driftwatch.writer.wait_written()
    with clean_db.connect() as conn:
        row = conn.execute(select(Prediction).where(Prediction.id == uuid.UUID(answer["prediction_id"]))).one()
    assert row.features == transaction
    assert row.probability == pytest.approx(answer["score"], abs=1e-6)
    listed = client.get("/api/v1/predictions", params={"limit": 5}).json()
    assert listed["total"] == 1 and listed["items"][0]["prediction_id"] == answer["prediction_id"]
    item = listed["items"][0]
    assert (item["model"], item["decision"]) == ("fraud", answer["decision"])
    assert item["score"] == pytest.approx(answer["score"], abs=1e-6)


def test_batch_over_the_limit_is_422_naming_the_field(client, transaction):
    response = client.post("/api/v1/predict/batch", json={"rows": [transaction] * 10_001})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "rows" and error["type"] == "too_long"
    assert "10000" in error["message"].replace(",", "")


def test_batch_of_ten_thousand_is_scored_and_stored(client, clean_db, transaction):
    response = client.post("/api/v1/predict/batch", json={"rows": [transaction] * 10_000})
    assert response.status_code == 200 and response.json()["count"] == 10_000
    assert client.app.state.driftwatch.writer.wait_written(30)
    with clean_db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Prediction)) == 10_000


def _bad_inputs():
    yield "missing", "amount", lambda t: t.pop("amount")
    yield "unknown", "foo", lambda t: t.update(foo=1)
    yield "wrong type", "hour_of_day", lambda t: t.update(hour_of_day="three")
    yield "float for int", "txn_count_24h", lambda t: t.update(txn_count_24h=2.5)
    yield "string for bool", "card_present", lambda t: t.update(card_present="yes")
    yield "above range", "amount", lambda t: t.update(amount=1e9)
    yield "below range", "customer_age", lambda t: t.update(customer_age=3)
    yield "unknown category", "merchant_category", lambda t: t.update(merchant_category="casino")


@pytest.mark.parametrize(
    ("case", "field", "mutate"), list(_bad_inputs()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_input_is_422_naming_the_field(client, transaction, case, field, mutate):
    mutate(transaction)
    response = client.post("/api/v1/predict", json=transaction)
    assert response.status_code == 422, case
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_422(client, transaction, value):
    rest = {k: v for k, v in transaction.items() if k != "amount"}
    payload = '{"amount": ' + value + ", " + json.dumps(rest)[1:]
    response = client.post("/api/v1/predict", content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == "amount" and "finite" in errors[0]["message"]


def test_schema_bounds_are_enforced_for_every_numeric_feature(client, transaction):
    for feature in (f for f in FEATURES if f.kind == "numeric"):
        too_big = feature.maximum + (1 if feature.dtype == "int" else 0.5)
        response = client.post("/api/v1/predict", json={**transaction, feature.name: too_big})
        assert response.status_code == 422, feature.name
        assert response.json()["errors"][0]["field"] == feature.name
    assert math.isfinite(client.post("/api/v1/predict", json=transaction).json()["score"])


def test_a_full_write_queue_refuses_with_503_and_retry_after(settings, demo_model, transaction):
    with TestClient(create_app(settings.model_copy(update={"write_queue_max": 100})), headers=auth()) as c:
        until_ready(c)
        response = c.post("/api/v1/predict/batch", json={"rows": [transaction] * 101})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert response.json() == {
            "status": 503,
            "title": "Service Unavailable",
            "detail": "0 predictions are waiting to be stored",
        }
        assert c.post("/api/v1/predict", json=transaction).status_code == 200


def test_a_bad_row_of_a_batch_is_422_naming_its_index_and_field(client, transaction):
    rows = [transaction] * 3 + [{**transaction, "amount": -5.0}]
    response = client.post("/api/v1/predict/batch", json={"rows": rows})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "rows.3.amount" and response.json()["detail"].startswith("rows.3.amount: ")
    assert client.get("/api/v1/predictions").json()["total"] == 0  # nothing of the batch was scored
