"""The model registry's API: registered models, their versions, and scoring any of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from app.schemas.model import FeatureSpec
from app.schemas.stages import StagesOut, VersionStage
from app.schemas.transaction import Stage

Format = Literal["xgboost-json", "xgboost-ubj", "onnx"]


class VersionOut(BaseModel):
    """One registered version (never its artifact's bytes)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    version: str = Field(description="`<registered at>-<hash of the artifact>`.")
    stage: VersionStage = Field(
        description="champion (answers), shadow or canary (the challenger), previous (what a rollback serves), "
        "retired, or candidate (registered, not serving)."
    )
    retired_at: datetime | None = None
    format: Format
    registered_at: datetime
    trained_at: datetime
    threshold: float = Field(description="A score at or above it is the positive decision.")
    metrics: dict[str, float | int] = Field(description="On the reference data (with a label column) or its row count.")
    label_column: str | None = None
    artifact_sha256: str | None = None
    source: dict[str, Any] | None = Field(default=None, description="What the version was made from.")
    features: list[FeatureSpec] = Field(description="The inputs, in order.")


class RegisteredModelOut(BaseModel):
    name: str
    task: Literal["binary_classification"]
    description: str
    active: bool
    created_at: datetime
    versions: int = Field(description="Registered versions.")
    latest: VersionOut | None = Field(description="The newest version.")
    champion: VersionOut | None = Field(description="The version that answers.")
    stages: StagesOut


class ModelDetailOut(RegisteredModelOut):
    history: list[VersionOut] = Field(description="Every version, newest first.")


class RegistrationOut(BaseModel):
    """What a registration made (or, with ``dry_run``, would make)."""

    saved: bool = Field(description="False for a dry run: nothing was stored.")
    name: str
    version: VersionOut
    schema_inferred: bool = Field(description="True when the schema was taken from the reference data: review it.")
    reference_rows: int


class ScoredRow(BaseModel):
    prediction_id: uuid.UUID
    score: float = Field(description="The model's probability of the positive class, in [0, 1].")
    decision: bool = Field(description="Score at or above the threshold.")
    threshold: float
    model: str
    model_version: str = Field(description="The version that scored it (also in the `X-Model-Version` header).")
    stage: Stage = Field(description="`champion`, or `canary` when the canary answered this request.")
    latency_ms: float = Field(description="Server-side time to validate and score, in ms.")


class RowIn(RootModel[dict[str, Any]]):
    """One input row of a registered model: its features by name (`GET /models/{name}` lists them)."""


class RowsIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000, description="Each row as `/predict` takes it.")


class ScoredBatch(BaseModel):
    model: str
    model_version: str = Field(description="The version that scored the whole batch.")
    stage: Stage
    threshold: float
    count: int
    latency_ms: float
    predictions: list[ScoredRow] = Field(description="In the order of the rows.")


class RowExplanationOut(BaseModel):
    model: str
    model_version: str
    score: float = Field(description="The model's probability of the positive class.")
    base_value: float = Field(description="Expected margin (log-odds) over the training data.")
    margin: float = Field(description="The model's log-odds; equals base_value + sum(contributions).")
    contributions: dict[str, float] = Field(description="TreeSHAP value per feature, in log-odds.")
