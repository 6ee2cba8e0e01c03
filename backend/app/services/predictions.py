"""A model's stored predictions, newest first, with their labels when known."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.registry.lookup import registered_model
from driftwatch_core.db.models import GroundTruth, Prediction


def page(
    session: Session,
    model: str,
    limit: int,
    offset: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict:
    """One page of ``model``'s predictions made in [since, until), newest first, and how many there are."""
    registered_model(session, model)
    # Shadow rows were never answered.
    where: list[ColumnElement[bool]] = [Prediction.model_name == model, Prediction.shadow_of.is_(None)]
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
            "prediction_id": p.id,
            "created_at": p.created_at,
            "model": p.model_name,
            "model_version": p.model_version,
            "score": p.probability,
            "decision": p.is_fraud,
            "latency_ms": p.latency_ms,
            "label": label,
            "features": p.features,
        }
        for p, label in rows
    ]
    return {"total": total, "limit": limit, "offset": offset, "items": items}
