"""Worker test helpers; database and model fixtures come from driftwatch_testing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from driftwatch_core import artifacts
from driftwatch_core.db.models import GroundTruth, Prediction
from driftwatch_core.features import FEATURES, schema_as_dicts
from driftwatch_core.generator import Drift

#: A strong "fraud ring" shift, like the simulator's sudden scenario.
_STRONG_DRIFT = Drift(
    scale={"amount": 3.0, "distance_from_home_km": 5.0, "distance_from_last_txn_km": 5.0, "account_age_days": 0.2},
    shift={"hour_of_day": 8.0},
    category_probs={
        "merchant_category": {"electronics": 0.5, "jewelry": 0.3, "online_retail": 0.2},
        "entry_mode": {"online": 0.7, "manual": 0.3},
    },
    boolean_rates={"card_present": 0.1, "is_international": 0.6},
)


def _store_rows(
    engine,
    model: str,
    version: str,
    records: Sequence[dict],
    scores: np.ndarray,
    threshold: float,
    end: datetime,
    span_s: float,
    labels: Sequence[bool] | None = None,
) -> list[uuid.UUID]:
    """Store predictions of any model as the backend does (features as JSON), spread over
    the ``span_s`` seconds before ``end``, with a label 60 s later for the first ``len(labels)``."""
    offsets = np.linspace(span_s, 0.01, len(records))
    ids = [uuid.uuid4() for _ in records]
    rows = [
        dict(
            id=ids[i],
            created_at=end - timedelta(seconds=float(offsets[i])),
            model_name=model,
            model_version=version,
            features=record,
            probability=float(scores[i]),
            is_fraud=bool(scores[i] >= threshold),
            threshold=threshold,
            latency_ms=1.0,
        )
        for i, record in enumerate(records)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Prediction), rows)
        if labels is not None and len(labels):
            conn.execute(
                insert(GroundTruth),
                [
                    dict(prediction_id=ids[i], label=bool(y), received_at=rows[i]["created_at"] + timedelta(seconds=60))
                    for i, y in enumerate(labels)
                ],
            )
    return ids


@pytest.fixture
def store_rows(clean_db):
    """``store_rows(model, version, records, scores, threshold, end, span_s, labels=None)``:
    predictions of any model, stored as the backend stores them."""
    return lambda *args, **kwargs: _store_rows(clean_db, *args, **kwargs)


@pytest.fixture(scope="session")
def reference(model_dir) -> dict:
    """The trained test model's reference as the worker sees it."""
    return artifacts.load_reference(artifacts.resolve(model_dir))


@pytest.fixture(scope="session")
def prepared(reference) -> dict:
    """Features and score reference, prepared once as the worker does."""
    from driftwatch_core.features import SCORE_NAME
    from worker.drift import prepare_reference

    return prepare_reference({**reference["features"], SCORE_NAME: reference[SCORE_NAME]})


@pytest.fixture(scope="session")
def kinds() -> dict[str, str]:
    return {f.name: f.kind for f in FEATURES}


@pytest.fixture(scope="session")
def strong_drift() -> Drift:
    """A strong "fraud ring" shift of most features, like the simulator's sudden scenario."""
    return _STRONG_DRIFT


@pytest.fixture(scope="session")
def scorer(model_dir):
    """Score generated columns with the real model (tests only: the worker never loads it)."""
    from app.ml.encoding import encode_columns
    from app.services.model_service import ModelService

    model = ModelService(artifacts.resolve(model_dir))

    def score(columns) -> tuple:
        p = model.predict(encode_columns(columns)).astype(float)
        return p, p >= model.threshold

    score.threshold = model.threshold
    return score


@pytest.fixture
def store(clean_db, scorer, model_dir):
    """Insert generated transactions as scored predictions (and optional labels)."""
    from driftwatch_core.db.models import ModelVersion

    version = artifacts.resolve(model_dir).folder.name
    with clean_db.begin() as conn:
        conn.execute(
            insert(ModelVersion).values(
                version=version,
                trained_at=datetime.now(UTC),
                threshold=scorer.threshold,
                metrics={},
                feature_schema=schema_as_dicts(),  # as the backend registers it (no reference before 0002)
            )
        )

    def _store(batch, end: datetime, span_s: float, label_share: float = 0.0, lag_s: float = 60.0) -> int:
        scores, decisions = scorer(batch.columns)
        n = len(batch)
        offsets = np.linspace(span_s, 0.01, n)
        ids = [uuid.uuid4() for _ in range(n)]
        rows = [
            dict(
                id=ids[i],
                created_at=end - timedelta(seconds=float(offsets[i])),
                model_version=version,
                features=record,
                probability=float(scores[i]),
                is_fraud=bool(decisions[i]),
                threshold=scorer.threshold,
                latency_ms=1.0,
            )
            for i, record in enumerate(batch.records())
        ]
        labelled = [
            dict(
                prediction_id=ids[i],
                label=bool(batch.labels[i]),
                received_at=rows[i]["created_at"] + timedelta(seconds=lag_s),
            )
            for i in range(int(n * label_share))
        ]
        with clean_db.begin() as conn:
            conn.execute(insert(Prediction), rows)
            if labelled:
                conn.execute(insert(GroundTruth), labelled)
        return n

    _store.version = version
    return _store


@pytest.fixture
def settings(database_url, model_dir):
    from worker.config import WorkerSettings

    return WorkerSettings(database_url=database_url, model_dir=model_dir, interval_s=30, min_labels=50)


@pytest.fixture
def monitor(settings, clean_db):
    from worker.cycle import Monitor

    return Monitor(settings, clean_db)
