"""Scoring a registered model: one row, or a batch in one vectorised model call.

Each request is routed first (the champion answers, or the canary for its share of
entity ids) and validated against the schema of the version that answers it: a bad
field is the same 422 for every model. The answer names the version and stage that
scored it, in the body and in ``X-Model-Version``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic_core import to_json

from app.api.deps import EntityDep, RuntimeDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.scoring import RowIn, RowsIn, ScoredBatch, ScoredRow
from app.services.runtime import Runtime
from app.services.scoring import Answered, answers, score_request
from app.serving.router import Route

router = ModelRoutes(tags=["predict"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No model of that name (or it has no version yet)."},
    503: {
        "description": "Too many predictions waiting to be stored, or the model registry not read yet; "
        "retry after Retry-After seconds."
    },
}
#: Every scoring answer names the version that scored it in this header too.
VERSION_HEADER = "X-Model-Version"


def _route(runtime: Runtime, name: str, entity: str | None) -> Route:
    return runtime.route(name, entity, os.urandom(8))


def _record(request: Request, runtime: Runtime, route: Route, rows: list[dict], probabilities=None) -> Answered:
    started = getattr(request.state, "started", time.perf_counter())  # set by RequestMetrics
    return score_request(rows, route, runtime.writer, runtime.shadow, runtime.metrics, started, probabilities)


@router.model_post("/predict", response_model=ScoredRow, responses=_RESPONSES)
async def predict(
    name: ModelName, row: RowIn, request: Request, response: Response, runtime: RuntimeDep, entity: EntityDep = None
):
    """Score one row with the model's champion (or its canary, for its share of entity ids) and record it."""
    route = _route(runtime, name, entity)
    valid = route.answer.validate_row(row.root)
    # Scored together with the rows of concurrent requests: one model call (``runtime.batcher``).
    probability = await runtime.batcher.score(route.answer, valid)
    answered = _record(request, runtime, route, [valid], [probability])
    response.headers[VERSION_HEADER] = answered.version
    return answers(answered)[0]


#: The body of a batch is parsed and validated in one pass by pydantic's JSON parser against the
#: answering version's schema (``LoadedVersion.parse_rows``); it is documented as ``RowsIn``.
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RowsIn"}}},
    }
}


def _batch_answer(request: Request, runtime: Runtime, name: str, body: bytes, entity: str | None) -> Response:
    route = _route(runtime, name, entity)
    answered = _record(request, runtime, route, route.answer.parse_rows(body))
    payload = {
        "model": name,
        "model_version": answered.version,
        "stage": answered.route.stage,
        "threshold": answered.threshold,
        "count": len(answered.scored),
        "latency_ms": answered.latency_ms,
        "predictions": answers(answered),
    }
    return Response(to_json(payload), media_type="application/json", headers={VERSION_HEADER: answered.version})


@router.model_post(
    "/predict/batch",
    # Our own answer is not validated again (thousands of ScoredRow models per call): it is built
    # from typed values and written by pydantic's serializer, documented as ScoredBatch.
    response_model=None,
    responses={200: {"model": ScoredBatch, "description": "Successful Response"}, **_RESPONSES},
    openapi_extra=_BATCH_BODY,
)
async def predict_batch(name: ModelName, request: Request, runtime: RuntimeDep, entity: EntityDep = None) -> Response:
    """Score up to 10,000 rows in one model call (one version answers the whole batch) and record them all."""
    body = await request.body()
    # Validating and scoring thousands of rows takes tens of milliseconds: on a worker thread,
    # the event loop goes on answering single predictions meanwhile.
    return await run_in_threadpool(_batch_answer, request, runtime, name, body, entity)


PARSED_BODIES = (RowsIn,)
