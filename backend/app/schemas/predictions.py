"""Stored predictions as ``GET /predictions`` lists them."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from app.schemas.common import IsoDatetime


class StoredPrediction(BaseModel):
    prediction_id: uuid.UUID
    created_at: IsoDatetime = Field(description="When it was scored.")
    model: str
    model_version: str = Field(description="The version that scored it.")
    score: float = Field(description="The model's probability of the positive class, unrounded.")
    decision: bool = Field(description="The positive decision, at the threshold of that time.")
    latency_ms: float = Field(description="Server-side time to validate and score, in ms.")
    label: bool | None = Field(description="The true label from /feedback; null until one arrives.")
    features: dict[str, bool | int | float | str] = Field(description="The row as it was scored, by feature name.")


class PredictionsPage(BaseModel):
    total: int = Field(description="Predictions matching since/until, over all pages.")
    limit: int
    offset: int
    items: list[StoredPrediction] = Field(description="Newest first.")
