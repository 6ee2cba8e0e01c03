"""Delayed ground truth for stored predictions."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import SessionDep, StateDep
from app.schemas.feedback import FeedbackIn, FeedbackOut
from app.services.feedback import FeedbackError, record_labels

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    responses={
        404: {"description": "A prediction id is unknown; nothing was stored."},
        409: {"description": "A prediction already has a different label; nothing was stored."},
    },
)
def feedback(body: FeedbackIn, session: SessionDep, state: StateDep):
    """Record the true label of one prediction or of a batch (all or nothing)."""
    labels: dict = {}
    for item in body.items:
        if labels.get(item.prediction_id, item.label) != item.label:
            return JSONResponse(
                status_code=422,
                content={"detail": f"prediction {item.prediction_id} is given two labels"},
            )
        labels[item.prediction_id] = item.label
    try:
        stored, unchanged = record_labels(session, state.writer, labels)
    except FeedbackError as exc:
        return JSONResponse(
            status_code=exc.status,
            content={"detail": exc.message, "prediction_ids": [str(i) for i in exc.ids]},
        )
    return {"stored": stored, "unchanged": unchanged}
