"""Delayed ground truth: one label, or many at once.

A label is ``true``/``false`` or ``1``/``0``. A batch that gives one prediction
two different labels is refused as a whole (422 naming the item), so what is
stored never depends on the order of the items.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.schemas.common import Label

MAX_FEEDBACK_ITEMS = 10_000


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prediction_id: uuid.UUID
    label: Label = Field(description="True (or 1) when the outcome was the positive class.")


def _both_forms(schema: dict) -> None:
    """Document the single-item form the ``before`` validator accepts next to the batch."""
    batch = {
        key: schema.pop(key) for key in ("type", "properties", "required", "additionalProperties") if key in schema
    }
    single = FeedbackItem.model_json_schema()
    single.pop("title", None)
    schema["anyOf"] = [single, batch]
    schema["examples"] = [
        {"prediction_id": "0b7e4c1e-8f0a-4f57-9d4e-3a8c9a8b1c2d", "label": True},
        {"items": [{"prediction_id": "0b7e4c1e-8f0a-4f57-9d4e-3a8c9a8b1c2d", "label": 0}]},
    ]


class FeedbackIn(BaseModel):
    """Either one ``{prediction_id, label}`` or ``{"items": [...]}`` with up to 10,000."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_both_forms)
    items: list[FeedbackItem] = Field(min_length=1, max_length=MAX_FEEDBACK_ITEMS)

    @model_validator(mode="before")
    @classmethod
    def _single_item(cls, data):
        if isinstance(data, dict) and "prediction_id" in data:
            return {"items": [data]}
        return data

    @field_validator("items")
    @classmethod
    def _one_label_each(cls, items: list[FeedbackItem]) -> list[FeedbackItem]:
        seen: dict[uuid.UUID, bool] = {}
        for i, item in enumerate(items):
            if seen.setdefault(item.prediction_id, item.label) != item.label:
                raise ValueError(f"item {i}: prediction {item.prediction_id} is given two labels")
        return items

    @property
    def labels(self) -> dict[uuid.UUID, bool]:
        """One label per prediction id (repeats of the same label collapse)."""
        return {item.prediction_id: item.label for item in self.items}


class FeedbackOut(BaseModel):
    stored: int = Field(description="Labels stored by this call.")
    unchanged: int = Field(description="Labels that were already stored with the same value.")
