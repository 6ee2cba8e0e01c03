"""The model registry as the API shows it: models, versions, their stages, a registration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.stages import StagesOut, VersionStage
from driftwatch_core.features import Kind

#: A number as training wrote it: an integer bound stays ``23``, not ``23.0``.
Number = int | float


class FeatureSpec(BaseModel):
    """One model input (``driftwatch_core.features.Feature``): what ``/models/{name}/predict`` takes."""

    name: str
    kind: Kind
    description: str
    example: bool | int | float | str
    dtype: Literal["float", "int", "str", "bool"]
    minimum: Number | None = Field(description="Smallest accepted value (numeric features).")
    maximum: Number | None = Field(description="Largest accepted value (numeric features).")
    unit: str | None
    categories: list[str] = Field(description="The accepted values (categorical features); else empty.")


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
    is_default: bool = Field(
        description="The default model (`DEFAULT_MODEL`): what the unscoped routes and the live channel serve."
    )
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
