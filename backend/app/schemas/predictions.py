"""Stored predictions as ``GET /predictions`` lists them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from app.schemas.common import IsoDatetime


class StoredPrediction(BaseModel):
    prediction_id: uuid.UUID
    created_at: IsoDatetime = Field(description="When it was scored.")
    model_version: str = Field(description="The model that scored it.")
    fraud_probability: float = Field(description="Model score in [0, 1], unrounded.")
    is_fraud: bool = Field(description="Decision at the threshold of that time.")
    latency_ms: float = Field(description="Server-side time to validate and score, in ms.")
    label: bool | None = Field(description="The true label from /feedback; null until one arrives.")
    features: dict[str, bool | int | float | str] = Field(
        description="The transaction as it was scored, by feature name."
    )


class PredictionsPage(BaseModel):
    total: int = Field(description="Predictions matching since/until, over all pages.")
    limit: int
    offset: int
    items: list[StoredPrediction] = Field(description="Newest first.")
