"""Worker test helpers; database and model fixtures come from driftwatch_testing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from driftwatch_core.db.models import GroundTruth, Prediction
from driftwatch_core.features import FEATURES, SCORE_NAME
from driftwatch_core.generator import Drift
from driftwatch_testing import DEMO_MODEL, demo_version

#: A strong "fraud ring" shift, like the simulator's fraud_ring scenario.
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


def _store_pairs(
    engine,
    model: str,
    champion: str,
    challenger: str,
    champion_scores: np.ndarray,
    challenger_scores: np.ndarray,
    end: datetime,
    span_s: float,
    labels: Sequence[bool | None] | None = None,
    challenger_answers: Sequence[bool] | None = None,
    records: Sequence[dict] | None = None,
    thresholds: tuple[float, float] = (0.5, 0.5),
) -> list[uuid.UUID]:
    """Store requests scored by both versions as the backend does: per request the answered
    prediction (the champion's, or the challenger's where ``challenger_answers``: a canary) and
    the other version's shadow row (``shadow_of``, same ``created_at``); a label 60 s later on
    the answered row where ``labels`` has one (not None). Returns the answered rows' ids."""
    n = len(champion_scores)
    offsets = np.linspace(span_s, 0.01, n)
    answered_ids = [uuid.uuid4() for _ in range(n)]
    canary = list(challenger_answers) if challenger_answers is not None else [False] * n
    records = records if records is not None else [{"x": (i % 100) / 100} for i in range(n)]
    rows, shadows, truth = [], [], []
    for i in range(n):
        created = end - timedelta(seconds=float(offsets[i]))
        sides = [
            (champion, float(champion_scores[i]), thresholds[0]),
            (challenger, float(challenger_scores[i]), thresholds[1]),
        ]
        (a_version, a_score, a_threshold), (s_version, s_score, s_threshold) = sides[::-1] if canary[i] else sides
        common = dict(created_at=created, model_name=model, features=records[i], latency_ms=1.0)
        rows.append(
            dict(
                common,
                id=answered_ids[i],
                model_version=a_version,
                probability=a_score,
                is_fraud=a_score >= a_threshold,
                threshold=a_threshold,
            )
        )
        shadows.append(
            dict(
                common,
                id=uuid.uuid4(),
                model_version=s_version,
                probability=s_score,
                is_fraud=s_score >= s_threshold,
                threshold=s_threshold,
                shadow_of=answered_ids[i],
            )
        )
        if labels is not None and labels[i] is not None:
            truth.append(
                dict(prediction_id=answered_ids[i], label=bool(labels[i]), received_at=created + timedelta(seconds=60))
            )
    with engine.begin() as conn:
        conn.execute(insert(Prediction), rows)
        conn.execute(insert(Prediction), shadows)
        if truth:
            conn.execute(insert(GroundTruth), truth)
    return answered_ids


def add_model(
    engine,
    name: str,
    score_references: dict[str, np.ndarray],
    champion: str | None = None,
    challenger: str | None = None,
    mode: str = "shadow",
    share: float | None = None,
    at: datetime = datetime(2026, 11, 23, tzinfo=UTC),
) -> None:
    """Register model ``name`` with one numeric feature ``x`` (uniform on [0, 1), as the stored
    pairs' records) and a version per ``score_references`` entry (its reference scores), then
    put versions on stages through ``driftwatch_core.stages``; the demo model (when registered) is
    set inactive so a cycle judges this one only."""
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from driftwatch_core import stages
    from driftwatch_core.db.models import ModelVersion, RegisteredModel
    from driftwatch_core.features import Feature
    from driftwatch_core.reference import build_reference

    schema = (Feature("x", "numeric", "a number in [0, 1)", 0.5),)
    x = np.linspace(0, 0.99, 1_000)
    with Session(engine) as session, session.begin():
        session.execute(update(RegisteredModel).where(RegisteredModel.name == DEMO_MODEL).values(active=False))
        session.add(RegisteredModel(name=name, task="binary_classification", description="", created_at=at))
        session.flush()
        for i, (version, scores) in enumerate(score_references.items()):
            session.add(
                ModelVersion(
                    version=version,
                    model_name=name,
                    trained_at=at,
                    threshold=0.5,
                    metrics={},
                    feature_schema=[f.to_dict() for f in schema],
                    registered_at=at + timedelta(minutes=i),
                    reference=build_reference({"x": x}, np.asarray(scores), seed=i, schema=schema, score_name="score"),
                )
            )
        session.flush()
        if champion is not None:
            stages.promote(session, name, champion, actor="test")
        if challenger is not None:
            stages.challenge(session, name, challenger, mode, share=share, actor="test")


@pytest.fixture
def store_pairs(clean_db):
    """``store_pairs(model, champion, challenger, champion_scores, challenger_scores, end, span_s,
    labels=None, challenger_answers=None, records=None)``: requests scored by both versions."""
    return lambda *args, **kwargs: _store_pairs(clean_db, *args, **kwargs)


@pytest.fixture
def store_rows(clean_db):
    """``store_rows(model, version, records, scores, threshold, end, span_s, labels=None)``:
    predictions of any model, stored as the backend stores them."""
    return lambda *args, **kwargs: _store_rows(clean_db, *args, **kwargs)


@pytest.fixture(scope="session")
def demo() -> dict:
    """The demo model's version as the registry stores it (``driftwatch_testing.demo_version``)."""
    return demo_version()


@pytest.fixture(scope="session")
def reference(demo) -> dict:
    """The demo model's reference as the worker sees it."""
    return demo["reference"]


@pytest.fixture(scope="session")
def prepared(reference) -> dict:
    """Features and score reference, prepared once as the worker does."""
    from worker.drift import prepare_reference

    return prepare_reference({**reference["features"], SCORE_NAME: reference[SCORE_NAME]})


@pytest.fixture(scope="session")
def kinds() -> dict[str, str]:
    return {f.name: f.kind for f in FEATURES}


@pytest.fixture(scope="session")
def strong_drift() -> Drift:
    """A strong "fraud ring" shift of most features, like the simulator's fraud_ring scenario."""
    return _STRONG_DRIFT


@pytest.fixture(scope="session")
def scorer(demo):
    """Score generated columns with the demo model's booster (tests only: the worker never loads it)."""
    import xgboost as xgb

    from driftwatch_core.encoding import encode_columns

    booster = xgb.Booster()
    booster.load_model(bytearray(demo["artifact"]))
    threshold = float(demo["threshold"])

    def score(columns) -> tuple:
        p = booster.inplace_predict(encode_columns(columns, FEATURES)).astype(float)
        return p, p >= threshold

    score.threshold = threshold
    return score


@pytest.fixture
def store(demo_model, clean_db, scorer):
    """The demo model registered (its champion ``demo_model``); inserts generated transactions as its
    scored predictions (and optional labels)."""
    version = demo_model

    def _store(batch, end: datetime, span_s: float, label_share: float = 0.0, lag_s: float = 60.0) -> int:
        scores, decisions = scorer(batch.columns)
        n = len(batch)
        offsets = np.linspace(span_s, 0.01, n)
        ids = [uuid.uuid4() for _ in range(n)]
        rows = [
            dict(
                id=ids[i],
                created_at=end - timedelta(seconds=float(offsets[i])),
                model_name=DEMO_MODEL,
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
def settings(database_url):
    from worker.config import WorkerSettings

    return WorkerSettings(database_url=database_url, interval_s=30, min_labels=50)


@pytest.fixture
def monitor(settings, clean_db):
    from worker.cycle import Monitor

    return Monitor(settings, clean_db)


@pytest.fixture
def staged_model():
    """``staged_model(engine, name, score_references, champion=None, challenger=None, ...)``: see ``add_model``."""
    return add_model


@pytest.fixture
def write_pairs():
    """``write_pairs(engine, ...)``: ``store_pairs`` into any engine."""
    return _store_pairs
