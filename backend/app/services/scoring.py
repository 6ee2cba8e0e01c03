"""Score a registered model's rows and queue them for storage.

A request is answered by the version its model's routing picks (the champion,
or the canary for its share of entity ids); when the model has a challenger,
the other version of the pair scores the same rows after the answer, in shadow
(``app.services.shadow``). The answer names the version and stage that scored it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.core.ids import uuid7s
from app.core.metrics import Metrics
from app.services.prediction_writer import PredictionWriter
from app.services.shadow import ShadowJob, ShadowScorer
from app.serving.router import Route
from driftwatch_core.db.models import utcnow


@dataclass(frozen=True)
class Scored:
    """One scored row as it is answered and stored."""

    prediction_id: uuid.UUID
    probability: float
    decision: bool


@dataclass(frozen=True)
class Answered:
    """What scoring a request produced: its rows, who answered, how long it took."""

    route: Route
    scored: list[Scored]
    latency_ms: float

    @property
    def version(self) -> str:
        return self.route.answer.version

    @property
    def threshold(self) -> float:
        return self.route.answer.threshold


def score_request(
    rows: Sequence[dict],
    route: Route,
    writer: PredictionWriter,
    shadow: ShadowScorer,
    metrics: Metrics,
    started: float,
    probabilities: Sequence[float] | np.ndarray | None = None,
) -> Answered:
    """Score validated rows with the routed version in one model call (unless the batcher
    already did: ``probabilities``), queue them for storage, and hand them to the shadow
    scorer when a second version is to score them."""
    served = route.answer
    scores = served.score(list(rows)) if probabilities is None else probabilities
    now = utcnow()
    latency_ms = round((time.perf_counter() - started) * 1000, 3)
    ids = uuid7s(len(rows))
    scored = [Scored(i, float(p), float(p) >= served.threshold) for i, p in zip(ids, scores, strict=True)]
    writer.submit(
        [
            {
                "id": s.prediction_id,
                "created_at": now,
                "model_name": served.name,
                "model_version": served.version,
                "features": row,
                "probability": s.probability,
                "is_fraud": s.decision,
                "threshold": served.threshold,
                "latency_ms": latency_ms,
                "shadow_of": None,
            }
            for row, s in zip(rows, scored, strict=True)
        ]
    )
    if route.shadow is not None:
        shadow.submit(ShadowJob(route.shadow, rows, [s.prediction_id for s in scored], now))
    metrics.child(metrics.answered, served.name, served.version, route.stage).inc(len(scored))
    metrics.child(metrics.model_info, served.name, served.version).set(1)
    histogram = metrics.child(metrics.scores, served.name)
    for s in scored:
        histogram.observe(s.probability)
    positive = sum(1 for s in scored if s.decision)
    metrics.child(metrics.predictions, served.name, "positive").inc(positive)
    metrics.child(metrics.predictions, served.name, "negative").inc(len(scored) - positive)
    metrics.pending_writes.set(writer.pending)
    return Answered(route, scored, latency_ms)


def answers(answered: Answered) -> list[dict]:
    """Each scored row as ``/models/{name}/predict`` answers it (``ScoredRow``)."""
    return [
        {
            "prediction_id": s.prediction_id,
            "score": round(s.probability, 6),
            "decision": s.decision,
            "threshold": answered.threshold,
            "model": answered.route.answer.name,
            "model_version": answered.version,
            "stage": answered.route.stage,
            "latency_ms": answered.latency_ms,
        }
        for s in answered.scored
    ]
