"""Scoring any registered model: a row in, its score and decision out; explanations.

The same shapes for every model and for the default model's unscoped aliases
(``/predict`` is ``/models/{name}/predict`` of ``DEFAULT_MODEL``).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from app.serving.versions import MAX_BATCH_ROWS

#: Which stage answered a request.
Stage = Literal["champion", "canary"]


class RowIn(RootModel[dict[str, Any]]):
    """One input row: the model's features by name (`GET /models/{name}` lists them), nothing else."""


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_BATCH_ROWS, description="Each row as `/models/{name}/predict` takes it."
    )


class ScoredRow(BaseModel):
    prediction_id: uuid.UUID
    score: float = Field(description="The model's probability of the positive class, in [0, 1].")
    decision: bool = Field(description="Score at or above the threshold: the positive decision.")
    threshold: float
    model: str
    model_version: str = Field(description="The version that scored it (also in the `X-Model-Version` header).")
    stage: Stage = Field(description="`champion`, or `canary` when the canary answered this request.")
    latency_ms: float = Field(description="Server-side time to validate and score, in ms.")


class ScoredBatch(BaseModel):
    model: str
    model_version: str = Field(description="The version that scored the whole batch.")
    stage: Stage
    threshold: float
    count: int = Field(description="Rows scored.")
    latency_ms: float = Field(description="Server-side time to validate and score the batch, in ms.")
    predictions: list[ScoredRow] = Field(description="In the order of the rows.")


class RowExplanationOut(BaseModel):
    model: str
    model_version: str
    score: float = Field(description="The model's probability of the positive class.")
    base_value: float = Field(description="Expected margin (log-odds) over the training data.")
    margin: float = Field(description="The model's log-odds; equals base_value + sum(contributions).")
    contributions: dict[str, float] = Field(description="TreeSHAP value per feature, in log-odds.")


class GlobalExplanationOut(BaseModel):
    model: str
    model_version: str
    sample_size: int = Field(description="Reference rows averaged over.")
    mean_abs_shap: dict[str, float] = Field(description="Mean absolute SHAP value per feature, in log-odds.")
