"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from app.api.deps import StateDep
from app.core.db import ping

router = APIRouter(tags=["operations"])


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, bool]
    missing: list[str]
    database_error: str | None = None
    model_error: str | None = None
    writer_error: str | None = None


@router.get("/health")
def health() -> dict:
    """Liveness: the process answers. Touches nothing else."""
    return {"status": "ok"}


@router.get("/ready", responses={200: {"model": Readiness},
                                  503: {"model": Readiness, "description": "Names what is missing."}})
def ready(state: StateDep):
    """Readiness: the database answers, the schema exists and a model is loaded."""
    reachable = ping(state.engine)
    checks = {"database": reachable and state.schema_ready.is_set(), "model": state.model is not None}
    missing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not missing else "not ready", "checks": checks, "missing": missing}
    # What is wrong, without the driver's text (hosts, ports, paths): the server log has that.
    if not checks["database"]:
        body["database_error"] = "database unreachable" if not reachable else "database schema not created yet"
    if state.model is None:
        body["model_error"] = "no model loaded: run ./scripts/train_model.sh (the server log says why)"
    if state.writer.last_error:
        body["writer_error"] = "storing predictions failed; they are kept and retried (see the server log)"
    return JSONResponse(body, status_code=503 if missing else 200)


@router.get("/metrics", response_class=Response)
def metrics(state: StateDep) -> Response:
    """Prometheus text format: requests, latency, predictions, scores, pending writes."""
    state.metrics.pending_writes.set(state.writer.pending)
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
