"""Live traffic statistics."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep, StateDep

router = APIRouter(tags=["stats"])


@router.get("/stats")
def stats(session: SessionDep, state: StateDep) -> dict:
    """Total predictions, the last minute's rate, fraud rate and latency p50/p95/p99."""
    result = dict(state.stats.get(session))
    result["pending_writes"] = state.writer.pending
    result["model_version"] = state.model.version if state.model else None
    return result
