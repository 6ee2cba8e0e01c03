"""Recent predictions, newest first, with their labels when known."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import SessionDep
from app.schemas.common import UtcDatetime
from app.schemas.predictions import PredictionsPage
from app.services import predictions

router = APIRouter(tags=["predictions"])


@router.get("/predictions", response_model=PredictionsPage)
def list_predictions(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    since: Annotated[UtcDatetime | None, Query(description="ISO 8601, inclusive (UTC without an offset)")] = None,
    until: Annotated[UtcDatetime | None, Query(description="ISO 8601, exclusive (UTC without an offset)")] = None,
):
    """Stored predictions, newest first, paginated and filterable by time."""
    return predictions.page(session, limit, offset, since, until)
