"""Delayed ground truth for a model's stored predictions."""

from __future__ import annotations

from app.api.deps import RuntimeDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.errors import FeedbackProblem
from app.schemas.feedback import FeedbackIn, FeedbackOut
from app.services.feedback import record_labels

router = ModelRoutes(tags=["feedback"])


@router.model_post(
    "/feedback",
    response_model=FeedbackOut,
    responses={
        404: {
            "model": FeedbackProblem,
            "description": "A prediction id is unknown to this model (or the model is); nothing was stored.",
        },
        409: {
            "model": FeedbackProblem,
            "description": "A prediction already has a different label; nothing was stored.",
        },
    },
)
def record_feedback(name: ModelName, body: FeedbackIn, session: SessionDep, runtime: RuntimeDep):
    """Record the true label of one prediction of this model or of a batch (all or nothing)."""
    stored, unchanged = record_labels(session, runtime.writer, name, body.labels)
    return {"stored": stored, "unchanged": unchanged}
