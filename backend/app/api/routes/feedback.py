"""Delayed ground truth for stored predictions."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import SessionDep, StateDep
from app.core.problems import problem_response
from app.schemas.errors import FeedbackProblem
from app.schemas.feedback import FeedbackIn, FeedbackOut
from app.services.feedback import ConflictingLabels, FeedbackError, UnknownPredictions, record_labels

router = APIRouter(tags=["feedback"])

_STATUS = {UnknownPredictions: 404, ConflictingLabels: 409}


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    responses={
        404: {"model": FeedbackProblem, "description": "A prediction id is unknown; nothing was stored."},
        409: {"model": FeedbackProblem,
              "description": "A prediction already has a different label; nothing was stored."},
    },
)
def feedback(body: FeedbackIn, session: SessionDep, state: StateDep):
    """Record the true label of one prediction or of a batch (all or nothing)."""
    try:
        stored, unchanged = record_labels(session, state.writer, body.labels)
    except FeedbackError as exc:
        return problem_response(_STATUS[type(exc)], exc.message, prediction_ids=[str(i) for i in exc.ids])
    return {"stored": stored, "unchanged": unchanged}
