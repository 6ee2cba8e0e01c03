"""``GET /model``: the served model's public metadata, as training wrote it.

Everything but ``version`` and ``threshold`` comes from the model's
``metadata.json`` as written by ``app.ml.train`` and is ``null`` where that
file lacks it (other keys of the file are not published).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import IsoDatetime
from driftwatch_core.features import Kind

#: A number as training wrote it: an integer bound stays ``23``, not ``23.0``.
Number = int | float


class TrainingData(BaseModel):
    rows: int = Field(description="Synthetic transactions generated.")
    train: int = Field(description="Rows the booster was fitted on.")
    validation: int = Field(description="Rows the threshold was chosen on.")
    holdout: int = Field(description="Rows the metrics were computed on.")
    fraud_rate: float = Field(description="Share of fraud over all rows.")


class HoldoutMetrics(BaseModel):
    roc_auc: float
    pr_auc: float = Field(description="Average precision.")
    precision: float = Field(description="At the decision threshold.")
    recall: float = Field(description="At the decision threshold.")
    f1: float = Field(description="At the decision threshold.")
    fraud_rate: float = Field(description="Share of fraud in the hold-out split.")
    n: int = Field(description="Rows in the hold-out split.")


class Costs(BaseModel):
    false_positive: Number = Field(description="Cost of a false alarm, in USD.")
    false_negative: Number = Field(description="Cost of a missed fraud, in USD.")


class FeatureSpec(BaseModel):
    """One model input (``driftwatch_core.features.Feature``): what ``/predict`` takes."""

    name: str
    kind: Kind
    description: str
    example: bool | int | float | str
    dtype: Literal["float", "int", "str", "bool"]
    minimum: Number | None = Field(description="Smallest accepted value (numeric features).")
    maximum: Number | None = Field(description="Largest accepted value (numeric features).")
    unit: str | None
    categories: list[str] = Field(description="The accepted values (categorical features); else empty.")


class ModelOut(BaseModel):
    # Always present in the answer, possibly null: required in the documented schema.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    version: str = Field(description="The served version, `<trained at>-<hash of the booster>`.")
    trained_at: IsoDatetime | None = None
    algorithm: str | None = None
    seed: int | None = Field(default=None, description="Seed of the synthetic training data.")
    data: TrainingData | None = None
    threshold: float = Field(description="Decision threshold: a score at or above it is fraud.")
    threshold_rule: str | None = Field(default=None, description="How the threshold was chosen.")
    costs: Costs | None = None
    metrics: HoldoutMetrics | None = Field(default=None, description="On the hold-out split.")
    feature_schema: list[FeatureSpec] | None = Field(default=None, description="The inputs, in order.")
    params: dict[str, bool | int | float | str] | None = Field(default=None, description="XGBoost training parameters.")
    training_seconds: float | None = None
