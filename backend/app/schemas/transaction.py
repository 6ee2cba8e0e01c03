"""Request and response models for scoring, built from the feature schema."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from driftwatch_core.features import FEATURES, Feature, example_transaction
from driftwatch_core.types import WholeInt


def _field(feature: Feature) -> tuple[Any, Any]:
    common: dict[str, Any] = {"description": feature.description, "examples": [feature.example]}
    if feature.kind == "categorical":
        return Literal[feature.categories], Field(**common)
    if feature.kind == "boolean":
        return bool, Field(strict=True, **common)
    py_type = WholeInt if feature.dtype == "int" else float
    unit = f" ({feature.unit})" if feature.unit else ""
    return py_type, Field(
        strict=True,
        ge=feature.minimum,
        le=feature.maximum,
        allow_inf_nan=False,
        **{**common, "description": feature.description + unit},
    )


def row_model(title: str, schema: Sequence[Feature], doc: str) -> Any:  # a class made at run time
    """The request model of one row of ``schema``: every feature, typed and bounded as the
    schema says, nothing else (the fraud model's ``Transaction``, a registered model's row)."""
    example: dict[str, Any] = {f.name: f.example for f in schema}
    model = create_model(  # type: ignore[call-overload]
        title,
        __config__=ConfigDict(extra="forbid", json_schema_extra={"examples": [example]}),
        **{f.name: _field(f) for f in schema},
    )
    model.__doc__ = doc
    return model


Transaction = row_model("Transaction", FEATURES, "One card transaction: every feature of the model, nothing else.")


#: Which stage answered a request.
Stage = Literal["champion", "canary"]


class PredictionOut(BaseModel):
    prediction_id: uuid.UUID
    fraud_probability: float = Field(description="Model score in [0, 1].")
    is_fraud: bool = Field(description="Decision: probability at or above the threshold.")
    decision: Literal["fraud", "legit"]
    threshold: float
    model_version: str = Field(description="The version that scored it (also in the `X-Model-Version` header).")
    stage: Stage = Field(description="`champion`, or `canary` when the canary answered this request.")
    latency_ms: float = Field(description="Server-side time to validate and score, in ms.")


class BatchIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"transactions": [example_transaction()]}]})
    transactions: list[Transaction] = Field(min_length=1, max_length=10_000)  # type: ignore[valid-type]


class BatchOut(BaseModel):
    model_version: str = Field(description="The version that scored the whole batch.")
    stage: Stage
    threshold: float
    count: int = Field(description="Transactions scored.")
    latency_ms: float = Field(description="Server-side time to validate and score the batch, in ms.")
    predictions: list[PredictionOut] = Field(description="In the order of the transactions.")


class ExplainOut(BaseModel):
    model_version: str
    fraud_probability: float
    base_value: float = Field(description="Expected margin (log-odds) over the training data.")
    margin: float = Field(description="The model's log-odds; equals base_value + sum(contributions).")
    contributions: dict[str, float] = Field(description="SHAP value per feature, in log-odds.")


class GlobalExplainOut(BaseModel):
    model_version: str
    sample_size: int = Field(description="Reference transactions averaged over.")
    mean_abs_shap: dict[str, float] = Field(description="Mean absolute SHAP value per feature, in log-odds.")
