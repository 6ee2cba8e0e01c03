"""Score rows (the fraud model's transactions, a registered model's rows) and queue them for storage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from app.core.metrics import Metrics
from app.ml.encoding import encode_rows
from app.registry.serving import ServedModel
from app.services.model_service import ModelService
from app.services.prediction_writer import PredictionWriter
from driftwatch_core.db.models import DEFAULT_MODEL, utcnow


def score_and_record(
    rows: Sequence[dict],
    model: ModelService,
    writer: PredictionWriter,
    metrics: Metrics,
    started: float,
) -> tuple[list[dict], float]:
    """Score ``rows`` in one model call, queue them for storage, return the answers."""
    probabilities = model.predict(encode_rows(rows))
    now = utcnow()
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    answers, stored = [], []
    for row, p in zip(rows, probabilities, strict=True):
        probability = float(p)
        is_fraud = probability >= model.threshold
        pid = uuid.uuid4()
        answers.append(
            {
                "prediction_id": pid,
                "fraud_probability": round(probability, 6),
                "is_fraud": is_fraud,
                "decision": "fraud" if is_fraud else "legit",
                "threshold": model.threshold,
                "model_version": model.version,
                "latency_ms": latency_ms,
            }
        )
        stored.append(
            {
                "id": pid,
                "created_at": now,
                "model_name": DEFAULT_MODEL,
                "model_version": model.version,
                "features": row,
                "probability": probability,
                "is_fraud": is_fraud,
                "threshold": model.threshold,
                "latency_ms": latency_ms,
            }
        )
        metrics.scores.observe(probability)
    writer.submit(stored)
    fraud = sum(1 for a in answers if a["is_fraud"])
    metrics.predictions.labels("fraud").inc(fraud)
    metrics.predictions.labels("legit").inc(len(answers) - fraud)
    metrics.pending_writes.set(writer.pending)
    return answers, latency_ms


def score_registered(
    rows: Sequence[dict], served: ServedModel, writer: PredictionWriter, started: float
) -> tuple[list[dict], float]:
    """Score validated rows of a registered model in one call and queue them for storage."""
    probabilities = served.score(list(rows))
    now = utcnow()
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    answers, stored = [], []
    for row, p in zip(rows, probabilities, strict=True):
        probability = float(p)
        decision = probability >= served.threshold
        pid = uuid.uuid4()
        answers.append(
            {
                "prediction_id": pid,
                "score": round(probability, 6),
                "decision": decision,
                "threshold": served.threshold,
                "model": served.name,
                "model_version": served.version,
                "latency_ms": latency_ms,
            }
        )
        stored.append(
            {
                "id": pid,
                "created_at": now,
                "model_name": served.name,
                "model_version": served.version,
                "features": row,
                "probability": probability,
                "is_fraud": decision,
                "threshold": served.threshold,
                "latency_ms": latency_ms,
            }
        )
    writer.submit(stored)
    return answers, latency_ms
