"""The model registry: list and register models, one model's versions, the version that answers.

Registering (admin) takes a multipart form: the artifact (XGBoost JSON/UBJ or
ONNX, never a pickle), the reference data (CSV or Parquet), optionally a schema
document and the label column. ``dry_run=true`` answers what would be stored,
the inferred schema included, and stores nothing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import File, Form, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from app.api.deps import ActorDep, RuntimeDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.registry import registration
from app.registry.formats import MAX_ARTIFACT_BYTES
from app.registry.tabular import MAX_TABLE_BYTES, Problem
from app.schemas.models import ModelDetailOut, RegisteredModelOut, RegistrationOut, VersionOut
from app.services import models
from app.services.runtime import Runtime

router = ModelRoutes(tags=["models"])

_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No model of that name (or it has no version yet)."}}
MAX_SCHEMA_BYTES = 1024 * 1024


@router.get("/models", response_model=list[RegisteredModelOut])
def list_models(session: SessionDep, runtime: RuntimeDep):
    """Every registered model with its newest version (the default model first, marked `is_default`)."""
    return models.models_overview(session, runtime.default_model)


@router.model_get("", response_model=ModelDetailOut, responses=_UNKNOWN, alias=False)
def get_registered_model(name: ModelName, session: SessionDep, runtime: RuntimeDep):
    """One model and every one of its versions, newest first."""
    return models.model_detail(session, name, runtime.default_model)


@router.model_get("/model", response_model=VersionOut, responses=_UNKNOWN)
def get_served_version(name: ModelName, runtime: RuntimeDep, session: SessionDep):
    """The version of the model that answers (its champion): format, threshold, metrics, feature schema."""
    return models.version_summary(session, runtime.champion(name).version)


async def _read(upload: UploadFile, field: str, limit: int) -> bytes:
    raw = await upload.read(limit + 1)
    if len(raw) > limit:
        raise registration.RegistrationError([Problem(field, f"larger than the limit of {limit} bytes")])
    return raw


def _schema_document(raw: bytes | None) -> list[dict] | None:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise registration.RegistrationError([Problem("schema", f"not a JSON document: {exc}")]) from None


@router.post(
    "/models",
    response_model=RegistrationOut,
    status_code=201,
    responses={
        200: {"model": RegistrationOut, "description": "A dry run: checked, nothing stored."},
        503: {"description": "The database is unavailable (nothing was stored); retry after Retry-After seconds."},
    },
)
async def register_model(
    runtime: RuntimeDep,
    response: Response,
    name: Annotated[str, Form(max_length=64, description="Lower-case letters, digits and -.")],
    artifact: Annotated[UploadFile, File(description="XGBoost JSON/UBJ booster or ONNX model (never a pickle).")],
    reference: Annotated[UploadFile, File(description="Reference data: CSV or Parquet, the model's inputs by name.")],
    feature_schema: Annotated[
        UploadFile | None, File(alias="schema", description="Optional feature schema (JSON list).")
    ] = None,
    label: Annotated[str | None, Form(max_length=128, description="Label column of the reference data.")] = None,
    threshold: Annotated[float | None, Form(gt=0, lt=1, description="Decision threshold; default 0.5.")] = None,
    description: Annotated[str, Form(max_length=500)] = "",
    dry_run: Annotated[bool, Form(description="Check and answer, store nothing.")] = False,
    stage: Annotated[
        Literal["champion", "shadow", "none"],
        Form(
            description="What the new version becomes: `champion` (answers from now on), `shadow` (tried beside the "
            "champion, never answers) or `none` (stored; promote it later). A model's first version always answers."
        ),
    ] = "champion",
    actor: ActorDep = "",
):
    """Register a new model, or a new version of one: 201 with what was stored (200 for a dry run).

    Every problem (the artifact, a column of the reference, the schema, the label) is
    named in one 422; nothing is stored unless everything holds.
    """
    upload = registration.Upload(
        name=name,
        artifact=await _read(artifact, "artifact", MAX_ARTIFACT_BYTES),
        reference=await _read(reference, "reference", MAX_TABLE_BYTES),
        reference_filename=reference.filename,
        schema=_schema_document(await _read(feature_schema, "schema", MAX_SCHEMA_BYTES) if feature_schema else None),
        label=label or None,
        threshold=threshold,
        description=description,
    )
    # Loading, checking and scoring take seconds of CPU: off the event loop.
    prepared = await run_in_threadpool(registration.prepare, upload)
    if dry_run:
        response.status_code = 200  # checked, nothing created
        return models.registration_out(prepared, None)
    return await run_in_threadpool(_save, runtime, prepared, stage, actor)


def _save(runtime: Runtime, prepared: registration.Prepared, stage: str, actor: str) -> dict:
    with runtime.session_factory.begin() as session:
        return models.registration_out(prepared, registration.save(session, prepared, stage=stage, actor=actor))
