"""Recent predictions, newest first, with their labels when known."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from app.api.deps import SessionDep
from app.models import GroundTruth, Prediction
from app.schemas.common import UtcDatetime

router = APIRouter(tags=["predictions"])


@router.get("/predictions")
def list_predictions(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    since: Annotated[UtcDatetime | None, Query(description="ISO 8601, inclusive (UTC without an offset)")] = None,
    until: Annotated[UtcDatetime | None, Query(description="ISO 8601, exclusive (UTC without an offset)")] = None,
) -> dict:
    """Stored predictions, newest first, paginated and filterable by time."""
    where = []
    if since is not None:
        where.append(Prediction.created_at >= since)
    if until is not None:
        where.append(Prediction.created_at < until)
    total = session.scalar(select(func.count()).select_from(Prediction).where(*where))
    rows = session.execute(
        select(Prediction, GroundTruth.label)
        .outerjoin(GroundTruth, GroundTruth.prediction_id == Prediction.id)
        .where(*where)
        .order_by(Prediction.created_at.desc(), Prediction.id)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [
        {
            "prediction_id": str(p.id),
            "created_at": p.created_at.isoformat(),
            "model_version": p.model_version,
            "fraud_probability": p.probability,
            "is_fraud": p.is_fraud,
            "latency_ms": p.latency_ms,
            "label": label,
            "features": p.features,
        }
        for p, label in rows
    ]
    return {"total": total, "limit": limit, "offset": offset, "items": items}
