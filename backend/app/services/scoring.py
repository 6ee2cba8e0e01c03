"""Score rows (the fraud model's transactions, a registered model's rows) and queue them for storage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.core.metrics import Metrics
from app.ml.encoding import encode_rows
from app.registry.serving import ServedModel
from app.services.model_service import ModelService
from app.services.prediction_writer import PredictionWriter
from driftwatch_core.db.models import DEFAULT_MODEL, utcnow


@dataclass(frozen=True)
class Scored:
    """One scored row as it is answered and stored."""

    prediction_id: uuid.UUID
    probability: float
    decision: bool


def _record(
    rows: Sequence[dict],
    probabilities: np.ndarray,
    model: tuple[str, str, float],
    writer: PredictionWriter,
    started: float,
) -> tuple[list[Scored], float]:
    """Queue the scored ``rows`` of ``model`` (name, version, threshold) for storage."""
    name, version, threshold = model
    now = utcnow()
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    scored = [Scored(uuid.uuid4(), float(p), float(p) >= threshold) for p in probabilities]
    writer.submit(
        [
            {
                "id": s.prediction_id,
                "created_at": now,
                "model_name": name,
                "model_version": version,
                "features": row,
                "probability": s.probability,
                "is_fraud": s.decision,
                "threshold": threshold,
                "latency_ms": latency_ms,
            }
            for row, s in zip(rows, scored, strict=True)
        ]
    )
    return scored, latency_ms


def score_and_record(
    rows: Sequence[dict],
    model: ModelService,
    writer: PredictionWriter,
    metrics: Metrics,
    started: float,
) -> tuple[list[dict], float]:
    """Score transactions in one model call, queue them for storage, return the answers."""
    probabilities = model.predict(encode_rows(rows))
    scored, latency_ms = _record(rows, probabilities, (DEFAULT_MODEL, model.version, model.threshold), writer, started)
    answers = [
        {
            "prediction_id": s.prediction_id,
            "fraud_probability": round(s.probability, 6),
            "is_fraud": s.decision,
            "decision": "fraud" if s.decision else "legit",
            "threshold": model.threshold,
            "model_version": model.version,
            "latency_ms": latency_ms,
        }
        for s in scored
    ]
    for s in scored:
        metrics.scores.observe(s.probability)
    fraud = sum(1 for s in scored if s.decision)
    metrics.predictions.labels("fraud").inc(fraud)
    metrics.predictions.labels("legit").inc(len(scored) - fraud)
    metrics.pending_writes.set(writer.pending)
    return answers, latency_ms


def score_registered(
    rows: Sequence[dict], served: ServedModel, writer: PredictionWriter, started: float
) -> tuple[list[dict], float]:
    """Score validated rows of a registered model in one call and queue them for storage."""
    model = (served.name, served.version, served.threshold)
    scored, latency_ms = _record(rows, served.score(list(rows)), model, writer, started)
    answers = [
        {
            "prediction_id": s.prediction_id,
            "score": round(s.probability, 6),
            "decision": s.decision,
            "threshold": served.threshold,
            "model": served.name,
            "model_version": served.version,
            "latency_ms": latency_ms,
        }
        for s in scored
    ]
    return answers, latency_ms
