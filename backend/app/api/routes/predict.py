"""Scoring: one transaction, or a batch in one vectorised model call."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from app.api.deps import ModelDep, StateDep
from app.schemas.transaction import BatchIn, BatchOut, PredictionOut, Transaction
from app.services.scoring import score_and_record

router = APIRouter(tags=["predict"])

_BUSY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Too many predictions waiting to be stored; retry shortly."}
}


def _score(request: Request, rows: list[dict], model, state):
    started = getattr(request.state, "started", time.perf_counter())  # set by RequestMetrics
    return score_and_record(rows, model, state.writer, state.metrics, started)


@router.post("/predict", response_model=PredictionOut, responses=_BUSY)
def predict(transaction: Transaction, request: Request, model: ModelDep, state: StateDep):
    """Score one transaction and record the prediction."""
    answers, _ = _score(request, [transaction.model_dump()], model, state)
    return answers[0]


@router.post("/predict/batch", response_model=BatchOut, responses=_BUSY)
def predict_batch(batch: BatchIn, request: Request, model: ModelDep, state: StateDep):
    """Score up to 10,000 transactions in one model call and record them all."""
    rows = [t.model_dump() for t in batch.transactions]  # type: ignore[attr-defined]  # made by create_model
    answers, latency_ms = _score(request, rows, model, state)
    return {
        "model_version": model.version,
        "threshold": model.threshold,
        "count": len(answers),
        "latency_ms": latency_ms,
        "predictions": answers,
    }
