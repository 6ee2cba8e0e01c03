"""Delayed ground truth for stored predictions."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep, StateDep
from app.schemas.errors import FeedbackProblem
from app.schemas.feedback import FeedbackIn, FeedbackOut
from app.services.feedback import record_labels

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    responses={
        404: {"model": FeedbackProblem, "description": "A prediction id is unknown; nothing was stored."},
        409: {
            "model": FeedbackProblem,
            "description": "A prediction already has a different label; nothing was stored.",
        },
    },
)
def record_feedback(body: FeedbackIn, session: SessionDep, state: StateDep):
    """Record the true label of one prediction or of a batch (all or nothing)."""
    stored, unchanged = record_labels(session, state.writer, body.labels)
    return {"stored": stored, "unchanged": unchanged}
