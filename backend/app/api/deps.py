"""Request dependencies as Annotated aliases, so tests can hand in their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from app.core.state import AppState
from app.services.model_service import ModelService


def get_state(request: Request) -> AppState:
    return request.app.state.driftwatch


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.session_factory() as session:
        yield session


def get_model(state: StateDep) -> ModelService:
    if state.model is None:
        # The reason (a path, a parse error) is in the server log, not in the answer.
        raise HTTPException(
            503,
            detail="no model is loaded: train one with ./scripts/train_model.sh and restart; the server log says why",
        )
    return state.model


SessionDep = Annotated[Session, Depends(get_session)]
ModelDep = Annotated[ModelService, Depends(get_model)]
