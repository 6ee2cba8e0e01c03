"""Delayed labels join their predictions; conflicts and unknown ids are refused."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from driftwatch_core.db.models import GroundTruth


def _predict(client, transaction) -> str:
    return client.post("/api/v1/predict", json=transaction).json()["prediction_id"]


def test_feedback_joins_its_prediction(client, clean_db, transaction):
    pid = _predict(client, transaction)
    # No wait for the writer: feedback must find a prediction that is still queued.
    response = client.post("/api/v1/feedback", json={"prediction_id": pid, "label": True})
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 1, "unchanged": 0}
    with clean_db.connect() as conn:
        assert (
            conn.execute(select(GroundTruth.label).where(GroundTruth.prediction_id == uuid.UUID(pid))).scalar_one()
            is True
        )
    item = client.get("/api/v1/predictions").json()["items"][0]
    assert item["prediction_id"] == pid and item["label"] is True


def test_batch_feedback_and_idempotent_repeat(client, transaction):
    ids = [_predict(client, transaction) for _ in range(3)]
    items = [{"prediction_id": i, "label": n == 0} for n, i in enumerate(ids)]
    assert client.post("/api/v1/feedback", json={"items": items}).json() == {"stored": 3, "unchanged": 0}
    assert client.post("/api/v1/feedback", json={"items": items}).json() == {"stored": 0, "unchanged": 3}


def test_unknown_prediction_is_404_and_nothing_is_stored(client, clean_db, transaction):
    known = _predict(client, transaction)
    unknown = str(uuid.uuid4())
    body = {"items": [{"prediction_id": known, "label": False}, {"prediction_id": unknown, "label": True}]}
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == 404
    assert response.json()["prediction_ids"] == [unknown]
    with clean_db.connect() as conn:
        assert conn.execute(select(GroundTruth)).all() == []


def test_a_different_second_label_is_409(client, transaction):
    pid = _predict(client, transaction)
    assert client.post("/api/v1/feedback", json={"prediction_id": pid, "label": False}).status_code == 200
    response = client.post("/api/v1/feedback", json={"prediction_id": pid, "label": True})
    assert response.status_code == 409
    assert response.json()["prediction_ids"] == [pid]


def test_malformed_feedback_is_422_naming_the_field(client):
    response = client.post("/api/v1/feedback", json={"prediction_id": "not-a-uuid", "label": True})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items.0.prediction_id"
    response = client.post("/api/v1/feedback", json={"prediction_id": str(uuid.uuid4()), "label": "yes"})
    assert response.json()["errors"][0]["field"] == "items.0.label"
