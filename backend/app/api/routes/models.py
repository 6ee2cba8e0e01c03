"""The model registry: list and register models, score any registered model.

Registering (admin) takes a multipart form: the artifact (XGBoost JSON/UBJ or
ONNX, never a pickle), the reference data (CSV or Parquet), optionally a schema
document and the label column. ``dry_run=true`` answers what would be stored,
the inferred schema included, and stores nothing. Scoring a registered model
validates each row against the request model generated from its stored schema:
the same 422 a malformed ``/predict`` gets.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.api.deps import ActorDep, EntityDep, SessionDep, StateDep
from app.api.routes.predict import score, score_one
from app.registry import service
from app.registry.formats import MAX_ARTIFACT_BYTES
from app.registry.serving import ServedModel, explain_row
from app.registry.tabular import MAX_TABLE_BYTES, Problem
from app.schemas.errors import FeedbackProblem
from app.schemas.feedback import FeedbackIn, FeedbackOut
from app.schemas.registry import (
    ModelDetailOut,
    RegisteredModelOut,
    RegistrationOut,
    RowExplanationOut,
    RowIn,
    RowsIn,
    ScoredBatch,
    ScoredRow,
    VersionOut,
)
from app.services.feedback import record_labels
from app.services.scoring import registered_answers

router = APIRouter(tags=["models"])

_UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "No model of that name (or it has no version yet)."}}


@router.get("/models", response_model=list[RegisteredModelOut])
def list_models(session: SessionDep):
    """Every registered model with its newest version (the built-in `fraud` model first)."""
    return service.models_overview(session)


@router.get("/models/{name}", response_model=ModelDetailOut, responses=_UNKNOWN)
def get_registered_model(name: str, session: SessionDep):
    """One model and every one of its versions, newest first."""
    return service.model_detail(session, name)


async def _read(upload: UploadFile, field: str, limit: int) -> bytes:
    raw = await upload.read(limit + 1)
    if len(raw) > limit:
        raise service.RegistrationError([Problem(field, f"larger than the limit of {limit} bytes")])
    return raw


def _schema_document(raw: bytes | None) -> list[dict] | None:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise service.RegistrationError([Problem("schema", f"not a JSON document: {exc}")]) from None


@router.post(
    "/models",
    response_model=RegistrationOut,
    status_code=201,
    responses={200: {"model": RegistrationOut, "description": "A dry run: checked, nothing stored."}},
)
async def register_model(
    state: StateDep,
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
    upload = service.Upload(
        name=name,
        artifact=await _read(artifact, "artifact", MAX_ARTIFACT_BYTES),
        reference=await _read(reference, "reference", MAX_TABLE_BYTES),
        reference_filename=reference.filename,
        schema=_schema_document(await _read(feature_schema, "schema", 1024 * 1024) if feature_schema else None),
        label=label or None,
        threshold=threshold,
        description=description,
    )
    # Loading, checking and scoring take seconds of CPU: off the event loop.
    prepared = await run_in_threadpool(service.prepare, upload)
    if dry_run:
        response.status_code = 200  # checked, nothing created
        return service.registration_out(prepared, None)
    return await run_in_threadpool(_save, state, prepared, stage, actor)


def _save(state, prepared: service.Prepared, stage: str, actor: str) -> dict:
    with state.session_factory.begin() as session:
        return service.registration_out(prepared, service.save(session, prepared, stage=stage, actor=actor))


def _served(state, name: str) -> ServedModel:
    return state.champion(name)


def _validated(served: ServedModel, rows: list[Any], prefix: tuple) -> list[dict]:
    out: list[dict] = []
    errors: list[dict] = []
    for i, row in enumerate(rows):
        try:
            out.append(served.row_model.model_validate(row).model_dump())
        except ValidationError as exc:
            where = (*prefix, i) if prefix else ()
            errors.extend({**e, "loc": ("body", *where, *e["loc"])} for e in exc.errors())
    if errors:
        raise RequestValidationError(errors)
    return out


@router.post("/models/{name}/predict", response_model=ScoredRow, responses=_UNKNOWN)
async def predict_registered(
    name: str, row: RowIn, request: Request, response: Response, state: StateDep, entity: EntityDep = None
):
    """Score one row with the model's champion (or its canary, for its share of entity ids) and record it."""
    rows = _validated(_served(state, name), [row.root], ())
    return registered_answers(await score_one(request, response, state, name, rows[0], entity))[0]


@router.post("/models/{name}/predict/batch", response_model=ScoredBatch, responses=_UNKNOWN)
def predict_registered_batch(  # a worker thread: thousands of rows must not hold the event loop
    name: str, batch: RowsIn, request: Request, response: Response, state: StateDep, entity: EntityDep = None
):
    """Score up to 10,000 rows in one model call (one version answers the whole batch) and record them all."""
    rows = _validated(_served(state, name), batch.rows, ("rows",))
    answered = score(request, response, state, name, rows, entity)
    return {
        "model": name,
        "model_version": answered.version,
        "stage": answered.route.stage,
        "threshold": answered.threshold,
        "count": len(answered.scored),
        "latency_ms": answered.latency_ms,
        "predictions": registered_answers(answered),
    }


@router.get("/models/{name}/model", response_model=VersionOut, responses=_UNKNOWN)
def get_served_version(name: str, state: StateDep, session: SessionDep):
    """The version of the model this process serves: format, threshold, metrics, feature schema."""
    return service.version_summary(session, _served(state, name).version)


@router.post("/models/{name}/explain", response_model=RowExplanationOut, responses=_UNKNOWN)
def explain_registered(name: str, row: RowIn, state: StateDep):
    """TreeSHAP contribution of each feature to one row's score (XGBoost models; others: 422 saying why)."""
    served = _served(state, name)
    return explain_row(served, _validated(served, [row.root], ())[0])


@router.post(
    "/models/{name}/feedback",
    response_model=FeedbackOut,
    responses={
        404: {"model": FeedbackProblem, "description": "No such model, or a prediction id unknown to it."},
        409: {"model": FeedbackProblem, "description": "A prediction already has a different label."},
    },
)
def record_registered_feedback(name: str, body: FeedbackIn, session: SessionDep, state: StateDep):
    """The true label of predictions of this model (all or nothing; another model's ids are unknown here)."""
    # An unknown model has no predictions: its ids are all unknown here (404 naming them).
    stored, unchanged = record_labels(session, state.writer, body.labels, model=name)
    return {"stored": stored, "unchanged": unchanged}
