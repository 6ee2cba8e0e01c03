"""Fixtures of the retraining tests: the demo model (``fraud``) registered, labelled traffic stored."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.registry import formats
from driftwatch_core.db.engine import make_session_factory
from driftwatch_core.db.models import GroundTruth, ModelVersion, Prediction, utcnow
from driftwatch_core.encoding import encode_rows
from driftwatch_core.features import schema_from_dicts
from driftwatch_testing import DEMO_MODEL, TEST_ADMIN_KEY, TEST_PREDICT_KEY


@pytest.fixture
def factory(clean_db):
    return make_session_factory(clean_db)


@pytest.fixture
def champion(demo_model) -> str:
    """The demo model's version, registered as its champion (with its reference rows)."""
    return demo_model


@pytest.fixture
def retrain_settings(database_url):
    """Settings for a retrain, small and quick by default; keyword arguments override."""

    def make(**overrides) -> Settings:
        values = {
            "database_url": database_url,
            "admin_api_keys": TEST_ADMIN_KEY,
            "predict_api_keys": TEST_PREDICT_KEY,
            "allowed_hosts": "testserver,localhost,127.0.0.1",
            "write_interval_ms": 20,
            "retrain_runner": False,
            "retrain_trials": 0,
            "retrain_search_timeout_s": 60,
        }
        return Settings(**{**values, **overrides})

    return make


def store_labelled(
    engine,
    version: str,
    rows: list[dict],
    labels,
    *,
    end: datetime | None = None,
    span: timedelta = timedelta(minutes=40),
    model: str = DEMO_MODEL,
) -> list[uuid.UUID]:
    """Score ``rows`` with the stored ``version`` and store them as answered predictions, spread evenly
    over ``span`` up to ``end`` (oldest first), each with its label."""
    with Session(engine) as session:
        stored = session.get(ModelVersion, version)
        assert stored is not None and stored.artifact is not None
        scorer = formats.load(stored.artifact, stored.format)
        schema, threshold = schema_from_dicts(stored.feature_schema), stored.threshold
    scores = scorer.predict_proba(encode_rows(rows, schema))
    end = end or utcnow() - timedelta(seconds=5)
    step = span / max(1, len(rows) - 1)
    ids = [uuid.uuid4() for _ in rows]
    predictions = [
        {
            "id": ids[i],
            "created_at": end - span + step * i,
            "model_name": model,
            "model_version": version,
            "features": row,
            "probability": float(scores[i]),
            "is_fraud": bool(scores[i] >= threshold),
            "threshold": threshold,
            "latency_ms": 1.0,
        }
        for i, row in enumerate(rows)
    ]
    truth = [
        {"prediction_id": ids[i], "label": bool(label), "received_at": end}
        for i, label in enumerate(np.asarray(labels))
    ]
    with engine.begin() as conn:
        conn.execute(insert(Prediction), predictions)
        conn.execute(insert(GroundTruth), truth)
    return ids


@pytest.fixture
def store(clean_db):
    """``store(version, rows, labels, **kwargs)``: labelled predictions (see ``store_labelled``)."""
    return lambda *args, **kwargs: store_labelled(clean_db, *args, **kwargs)
