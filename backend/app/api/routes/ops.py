"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import RuntimeDep
from app.schemas.ops import Health, Readiness
from app.services.readiness import readiness

router = APIRouter(tags=["operations"])

_PROMETHEUS_TEXT = {
    "content": {"text/plain": {"schema": {"type": "string"}}},
    "description": "Prometheus text exposition format.",
}


@router.get("/health", response_model=Health)
def health():
    """Liveness: the process answers. Touches nothing else."""
    return {"status": "ok"}


@router.get(
    "/ready",
    response_model=Readiness,
    response_model_exclude_none=True,
    responses={503: {"model": Readiness, "description": "Names what is missing."}},
)
def ready(runtime: RuntimeDep, response: Response):
    """Readiness: the database answers, the schema exists and a model is loaded."""
    body = readiness(runtime)
    response.status_code = 503 if body["missing"] else 200
    return body


@router.get("/metrics", response_class=Response, responses={200: _PROMETHEUS_TEXT})
def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus text format: requests, latency, predictions, scores, pending writes."""
    runtime.metrics.pending_writes.set(runtime.writer.pending)
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
