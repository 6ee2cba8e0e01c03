"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import StateDep
from app.core.db import ping

router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> dict:
    """Liveness: the process answers. Touches nothing else."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Names what is missing."}})
def ready(state: StateDep):
    """Readiness: the database answers, the schema exists and a model is loaded."""
    checks = {
        "database": ping(state.engine) and state.schema_ready.is_set(),
        "model": state.model is not None,
    }
    missing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not missing else "not ready", "checks": checks, "missing": missing}
    if state.model is None:
        body["model_error"] = state.model_error
    if state.writer.last_error:
        body["writer_error"] = state.writer.last_error
    return JSONResponse(body, status_code=503 if missing else 200)


@router.get("/metrics", response_class=Response)
def metrics(state: StateDep) -> Response:
    """Prometheus text format: requests, latency, predictions, scores, pending writes."""
    state.metrics.pending_writes.set(state.writer.pending)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
