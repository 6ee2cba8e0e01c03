"""The model being served: version, metrics, threshold and feature schema."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ModelDep

router = APIRouter(tags=["model"])

_PUBLIC_KEYS = (
    "version", "trained_at", "algorithm", "seed", "data", "threshold", "threshold_rule",
    "costs", "metrics", "feature_schema", "params", "training_seconds",
)


@router.get("/model")
def model_info(model: ModelDep) -> dict:
    """Version, training time, hold-out metrics, decision threshold and feature schema."""
    return {key: model.metadata.get(key) for key in _PUBLIC_KEYS}
