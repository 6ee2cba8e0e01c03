"""The model being served: version, metrics, threshold and feature schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ModelDep
from app.schemas.model import ModelOut

router = APIRouter(tags=["model"])


@router.get("/model", response_model=ModelOut)
def get_model_info(model: ModelDep):
    """Version, training time, hold-out metrics, decision threshold and feature schema."""
    return model.metadata  # the response model publishes its public keys
