"""A model's recent predictions, newest first, with their labels when known."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.api.deps import SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.common import UtcDatetime
from app.schemas.predictions import PredictionsPage
from app.services import predictions

router = ModelRoutes(tags=["predictions"])


@router.model_get("/predictions", response_model=PredictionsPage, responses={404: {"description": "No such model."}})
def list_predictions(
    name: ModelName,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    since: Annotated[UtcDatetime | None, Query(description="ISO 8601, inclusive (UTC without an offset)")] = None,
    until: Annotated[UtcDatetime | None, Query(description="ISO 8601, exclusive (UTC without an offset)")] = None,
):
    """The model's stored predictions, newest first, paginated and filterable by time."""
    return predictions.page(session, name, limit, offset, since, until)
