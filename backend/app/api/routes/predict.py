"""Scoring: one transaction, or a batch in one vectorised model call."""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from pydantic_core import to_json

from app.api.deps import NO_MODEL, EntityDep, StateDep
from app.core.state import AppState
from app.registry.serving import Route
from app.schemas.transaction import BatchIn, BatchOut, PredictionOut, Transaction
from app.services.errors import NotFound
from app.services.scoring import Answered, fraud_answers, score_request
from driftwatch_core.defaults import DEFAULT_MODEL

router = APIRouter(tags=["predict"])

_BUSY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Too many predictions waiting to be stored; retry shortly."}
}
#: Every scoring answer names the version that scored it in this header too.
VERSION_HEADER = "X-Model-Version"


def _route(state: AppState, name: str, entity: str | None) -> Route:
    try:
        return state.route(name, entity, os.urandom(8))
    except NotFound:
        if name != DEFAULT_MODEL:
            raise
        raise HTTPException(503, detail=NO_MODEL) from None


def _record(
    request: Request, response: Response, state: AppState, route: Route, rows: list[dict], probabilities=None
) -> Answered:
    started = getattr(request.state, "started", time.perf_counter())  # set by RequestMetrics
    answered = score_request(rows, route, state.writer, state.shadow, state.metrics, started, probabilities)
    response.headers[VERSION_HEADER] = answered.version
    return answered


def score(request: Request, response: Response, state: AppState, name: str, rows: list[dict], entity: str | None):
    """Route and score a batch in one model call, record it; the answering version in the response header."""
    return _record(request, response, state, _route(state, name, entity), rows)


async def score_one(
    request: Request, response: Response, state: AppState, name: str, row: dict, entity: str | None
) -> Answered:
    """Route one row and score it together with the rows of concurrent requests (``state.batcher``)."""
    route = _route(state, name, entity)
    probability = await state.batcher.score(route.answer, row)
    return _record(request, response, state, route, [row], [probability])


@router.post("/predict", response_model=PredictionOut, responses=_BUSY)
async def predict(
    transaction: Transaction, request: Request, response: Response, state: StateDep, entity: EntityDep = None
):
    """Score one transaction with the champion (or the canary, for its share of entity ids) and record it."""
    answered = await score_one(request, response, state, DEFAULT_MODEL, transaction.model_dump(), entity)
    return fraud_answers(answered)[0]


#: The body of /predict/batch is parsed and validated in one pass by pydantic's JSON parser
#: (``BatchIn.model_validate_json``): a third of the CPU of FastAPI's ``json.loads`` followed
#: by validating the Python objects, at 1,000 rows. The schema is documented as if FastAPI read it.
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchIn"}}},
    }
}


def batch_rows(body: bytes) -> list[dict]:
    """The validated rows of a /predict/batch body; a 422 naming each bad field otherwise
    (the same answer as every other body's)."""
    try:
        batch = BatchIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    return [t.model_dump() for t in batch.transactions]  # type: ignore[attr-defined]  # made by create_model


def _batch_answer(request: Request, response: Response, state: AppState, body: bytes, entity: str | None) -> Response:
    answered = score(request, response, state, DEFAULT_MODEL, batch_rows(body), entity)
    payload = {
        "model_version": answered.version,
        "stage": answered.route.stage,
        "threshold": answered.threshold,
        "count": len(answered.scored),
        "latency_ms": answered.latency_ms,
        "predictions": fraud_answers(answered),
    }
    return Response(to_json(payload), media_type="application/json", headers={VERSION_HEADER: answered.version})


@router.post(
    "/predict/batch",
    # Our own answer is not validated again (a thousand PredictionOut models per call): it is
    # built from typed values and written by pydantic's serializer, documented as BatchOut.
    response_model=None,
    responses={200: {"model": BatchOut, "description": "Successful Response"}, **_BUSY},
    openapi_extra=_BATCH_BODY,
)
async def predict_batch(request: Request, response: Response, state: StateDep, entity: EntityDep = None) -> Response:
    """Score up to 10,000 transactions in one model call (one version answers the whole batch) and record them all."""
    body = await request.body()
    # Validating and scoring thousands of rows takes tens of milliseconds: on a worker thread,
    # the event loop goes on answering single predictions meanwhile (the GIL is handed over
    # every few milliseconds) instead of holding them until the batch is done.
    return await run_in_threadpool(_batch_answer, request, response, state, body, entity)
