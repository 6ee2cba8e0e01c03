"""The model being served: version, metrics, threshold and feature schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ChampionDep, SessionDep, StateDep
from app.schemas.model import ModelOut
from app.services.model_info import champion_info

router = APIRouter(tags=["model"])


@router.get("/model", response_model=ModelOut)
def get_model_info(champion: ChampionDep, state: StateDep, session: SessionDep):
    """The champion's version, training time, hold-out metrics, decision threshold and feature schema."""
    return champion_info(champion, state.model, session)
