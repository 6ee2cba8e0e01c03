"""Delayed ground truth: one label, or many at once."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_FEEDBACK_ITEMS = 10_000


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prediction_id: uuid.UUID
    label: bool = Field(strict=True, description="True when the transaction was fraud.")


class FeedbackIn(BaseModel):
    """Either one ``{prediction_id, label}`` or ``{"items": [...]}`` with up to 10,000."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"prediction_id": "0b7e4c1e-8f0a-4f57-9d4e-3a8c9a8b1c2d", "label": True},
                {"items": [{"prediction_id": "0b7e4c1e-8f0a-4f57-9d4e-3a8c9a8b1c2d", "label": False}]},
            ]
        },
    )
    items: list[FeedbackItem] = Field(min_length=1, max_length=MAX_FEEDBACK_ITEMS)

    @model_validator(mode="before")
    @classmethod
    def _single_item(cls, data):
        if isinstance(data, dict) and "prediction_id" in data:
            return {"items": [data]}
        return data


class FeedbackOut(BaseModel):
    stored: int = Field(description="Labels stored by this call.")
    unchanged: int = Field(description="Labels that were already stored with the same value.")
