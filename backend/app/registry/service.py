"""Registering a model version: check the upload, derive what monitoring needs, store it.

``prepare`` is pure (no database): it loads the artifact by its content (never a
pickle), reads the reference table, takes the feature schema from the document
given or infers it from the table, checks the table against the schema and the
schema against the model's inputs, scores the reference, and computes the
reference distributions (``driftwatch_core.reference.build_reference``, the one
function the fraud model's training uses too) and, with a label column, the
reference metrics. Every problem found is collected and raised together as a
``RegistrationError`` naming its field or column.

``save`` writes the model (when new) and the version in one transaction, so a
registration either lands whole or not at all. ``register_trained`` brings a
version written by ``./scripts/train_model.sh`` (the built-in fraud model) through
the same ``save``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.ml.train import evaluate
from app.registry import formats, tabular
from app.registry.tabular import Problem
from app.services.errors import Conflict, Invalid, NotFound
from app.services.stages import stages_out
from driftwatch_core import artifacts, stages
from driftwatch_core.db.models import DEFAULT_MODEL, ModelVersion, RegisteredModel, utcnow
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import SCORE_NAME, Feature, schema_from_dicts
from driftwatch_core.reference import build_reference

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
TASK = "binary_classification"
#: Registered models' score is monitored under this name (the fraud model keeps its own).
REGISTERED_SCORE_NAME = "score"
DEFAULT_THRESHOLD = 0.5
BUILTIN_DESCRIPTION = "The built-in card-fraud model (XGBoost), trained on the synthetic generator."
KINDS = ("numeric", "categorical", "boolean")
DTYPES = {"numeric": ("float", "int"), "categorical": ("str",), "boolean": ("bool",)}


class RegistrationError(Invalid):
    """What is wrong with a registration, every problem at once (the API's 422)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([(p.field, p.message) for p in self.problems])


@dataclass
class Upload:
    """A registration as it arrives, from the API's form or the command line."""

    name: str
    artifact: bytes
    reference: bytes
    reference_filename: str | None = None
    schema: list[dict] | None = None
    label: str | None = None
    threshold: float | None = None
    description: str = ""


@dataclass
class Prepared:
    """A version ready to store: everything the registry keeps about it."""

    name: str
    version: str
    format: str
    artifact: bytes
    sha256: str
    schema: tuple[Feature, ...]
    reference: dict
    threshold: float
    metrics: dict
    label: str | None
    source: dict
    trained_at: datetime
    schema_inferred: bool = False
    description: str = ""
    warnings: list[str] = field(default_factory=list)


def version_id(at: datetime, artifact: bytes) -> str:
    """``20261201-185050-b86bf37f``: when, and the artifact's hash (as training names them)."""
    return f"{at:%Y%m%d-%H%M%S}-{hashlib.sha256(artifact).hexdigest()[:8]}"


def schema_problems(entries: Any) -> tuple[tuple[Feature, ...], list[Problem]]:
    """The schema of a JSON document: a list of features (``GET /model``'s ``features`` shape)."""
    if not isinstance(entries, list) or not entries:
        return (), [Problem("schema", "expected a non-empty JSON list of features ({name, kind, ...})")]
    problems, names = [], set()
    for i, entry in enumerate(entries):
        where = f"schema[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            problems.append(Problem(where, "expected an object with a string name"))
            continue
        where = f"schema.{entry['name']}"
        if not re.fullmatch(tabular.NAME_PATTERN, entry["name"]):
            problems.append(Problem(where, "names are letters, digits, _ . - and spaces, at most 64"))
        if entry["name"] in names:
            problems.append(Problem(where, "appears twice"))
        names.add(entry["name"])
        kind = entry.get("kind")
        if kind not in KINDS:
            problems.append(Problem(where, f"kind must be one of {', '.join(KINDS)} (got {kind!r})"))
            continue
        dtype = entry.get("dtype") or DTYPES[kind][0]
        if dtype not in DTYPES[kind]:
            problems.append(Problem(where, f"dtype of a {kind} feature is {' or '.join(DTYPES[kind])} (got {dtype!r})"))
        categories = entry.get("categories") or []
        if kind == "categorical" and (
            not isinstance(categories, list) or not categories or not all(isinstance(c, str) for c in categories)
        ):
            problems.append(Problem(where, "a categorical feature needs its categories: a non-empty list of strings"))
        for bound in ("minimum", "maximum"):
            value = entry.get(bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                problems.append(Problem(where, f"{bound} must be a number"))
    if problems:
        return (), problems
    return schema_from_dicts({**e, "dtype": e.get("dtype") or DTYPES[e["kind"]][0]} for e in entries), []


def prepare(upload: Upload, *, seed: int = 0, now: datetime | None = None) -> Prepared:
    """Check ``upload`` and compute the version it becomes; raises ``RegistrationError``."""
    problems: list[Problem] = []
    if not NAME_PATTERN.fullmatch(upload.name):
        problems.append(Problem("name", "lower-case letters, digits and -, starting with a letter, 2 to 32 long"))
    if upload.threshold is not None and not 0 < upload.threshold < 1:
        problems.append(Problem("threshold", f"must be between 0 and 1 (got {upload.threshold})"))
    scorer = None
    try:
        scorer = formats.load(upload.artifact)
    except formats.ArtifactError as exc:
        problems.append(Problem("artifact", str(exc)))
    table = None
    try:
        table = tabular.read_table(upload.reference, upload.reference_filename)
    except tabular.DatasetError as exc:
        problems.extend(exc.problems)
    schema: tuple[Feature, ...] = ()
    if upload.schema is not None:
        schema, found = schema_problems(upload.schema)
        problems.extend(found)
    elif table is not None:
        try:
            schema = tabular.infer_schema(table, upload.label)
        except tabular.DatasetError as exc:
            problems.extend(exc.problems)
    problems.extend(
        Problem(f.name, f"the name {f.name!r} is taken by the model's score, which is monitored beside the features")
        for f in schema
        if f.name == REGISTERED_SCORE_NAME
    )
    if problems or scorer is None or table is None:
        raise RegistrationError(problems)

    try:
        data = tabular.check_table(table, schema, upload.label)
    except tabular.DatasetError as exc:
        problems.extend(exc.problems)
    try:
        formats.check_inputs(scorer, len(schema))
    except formats.ArtifactError as exc:
        problems.append(Problem("artifact", str(exc)))
    if problems:
        raise RegistrationError(problems)

    scores = scorer.predict_proba(encode_columns(data.columns, schema))
    if not np.all(np.isfinite(scores)) or scores.min() < 0 or scores.max() > 1:
        raise RegistrationError([Problem("artifact", "the model's scores on the reference are not probabilities")])
    threshold = DEFAULT_THRESHOLD if upload.threshold is None else float(upload.threshold)
    metrics: dict = {"n": data.n_rows}
    if data.labels is not None:
        metrics = evaluate(data.labels, scores, threshold)
        metrics["positive_rate"] = metrics.pop("fraud_rate")
    at = now or datetime.now(UTC)
    return Prepared(
        name=upload.name,
        version=version_id(at, upload.artifact),
        format=scorer.format,
        artifact=upload.artifact,
        sha256=hashlib.sha256(upload.artifact).hexdigest(),
        schema=schema,
        reference=build_reference(data.columns, scores, seed, schema, score_name=REGISTERED_SCORE_NAME),
        threshold=threshold,
        metrics=metrics,
        label=upload.label,
        source={
            "reference_file": upload.reference_filename,
            "reference_rows": data.n_rows,
            "label": upload.label,
            "schema": "given" if upload.schema is not None else "inferred",
            "seed": seed,
        },
        trained_at=at,
        schema_inferred=upload.schema is None,
        description=upload.description,
    )


def _row(prepared: Prepared, registered_at: datetime) -> ModelVersion:
    """The stored form of a prepared version (``save`` adds it; a dry run only shows it)."""
    return ModelVersion(
        version=prepared.version,
        model_name=prepared.name,
        trained_at=prepared.trained_at,
        threshold=prepared.threshold,
        metrics=prepared.metrics,
        feature_schema=[f.to_dict() for f in prepared.schema],
        registered_at=registered_at,
        format=prepared.format,
        artifact=prepared.artifact,
        artifact_sha256=prepared.sha256,
        reference=prepared.reference,
        label_column=prepared.label,
        source=prepared.source,
    )


NO_CHAMPION = "the model had no champion"
#: What a newly registered version becomes: it answers, it is tried in shadow, or it waits.
STAGES_ON_REGISTER = ("champion", "shadow", "none")


def save(session: Session, prepared: Prepared, *, stage: str = "champion", actor: str = "") -> ModelVersion:
    """Store the model (when new) and the version, and put the version on ``stage``
    (a model's first version always becomes its champion); the caller's transaction
    commits all of it."""
    if session.get(ModelVersion, prepared.version) is not None:
        raise Conflict(f"version {prepared.version} is already registered")
    model = session.get(RegisteredModel, prepared.name)
    if model is None:
        model = RegisteredModel(name=prepared.name, task=TASK, description=prepared.description, created_at=utcnow())
        session.add(model)
        session.flush()  # the version's foreign key needs the model's row first
    version = _row(prepared, registered_at=utcnow())
    session.add(version)
    session.flush()
    stages.record_event(
        session,
        prepared.name,
        "registered",
        f"{prepared.version} registered ({prepared.format})",
        version=prepared.version,
        actor=actor,
        details={"source": prepared.source},
    )
    if model.champion_version is None or stage == "champion":
        stages.promote(session, prepared.name, prepared.version, actor=actor, reason="registered")
    elif stage == "shadow":
        stages.challenge(session, prepared.name, prepared.version, stages.SHADOW, actor=actor, reason="registered")
    return version


def register_trained(session: Session, paths: artifacts.ArtifactPaths) -> ModelVersion:
    """Register a version written by training (the built-in fraud model) unless it is already.

    A version stored here for the first time becomes the champion (training a new
    version and restarting serves it, as before stages); a version already stored
    keeps whatever stage it has (a promotion or rollback made live survives restarts).
    """
    meta = artifacts.load_metadata(paths)
    existing = session.get(ModelVersion, meta["version"])
    if existing is not None and existing.artifact is not None:
        model = session.get(RegisteredModel, DEFAULT_MODEL)
        if model is not None and model.champion_version is None:
            stages.promote(
                session, DEFAULT_MODEL, existing.version, actor="startup", reason="the model had no champion"
            )
        return existing  # every later start: nothing to read
    raw = paths.booster.read_bytes()
    reference = {**artifacts.load_reference(paths), "score_name": SCORE_NAME}
    if existing is not None:  # registered by the release before the registry
        existing.artifact, existing.artifact_sha256 = raw, hashlib.sha256(raw).hexdigest()
        existing.reference, existing.label_column = reference, "is_fraud"
        model = session.get(RegisteredModel, DEFAULT_MODEL)
        if model is not None and model.champion_version is None:
            stages.promote(
                session, DEFAULT_MODEL, existing.version, actor="startup", reason="the model had no champion"
            )
        return existing
    prepared = Prepared(
        name=DEFAULT_MODEL,
        version=meta["version"],
        format="xgboost-json",
        artifact=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        schema=schema_from_dicts(meta["feature_schema"]),
        reference=reference,
        threshold=float(meta["threshold"]),
        metrics=meta["metrics"],
        label="is_fraud",
        source={"trainer": "app.ml.train", "seed": meta.get("seed"), "data": meta.get("data")},
        trained_at=datetime.fromisoformat(meta["trained_at"]),
        description=BUILTIN_DESCRIPTION,
    )
    return save(session, prepared, stage="champion", actor="startup")


def version_out(row: ModelVersion, model: RegisteredModel | None = None) -> dict:
    """A stored version as the API shows it: everything but the artifact's bytes."""
    if model is None:
        model = object_session_model(row)
    return {
        "version": row.version,
        "stage": stages.stage_of(model, row) if model is not None else "candidate",
        "retired_at": row.retired_at,
        "format": row.format,
        "registered_at": row.registered_at,
        "trained_at": row.trained_at,
        "threshold": row.threshold,
        "metrics": {k: v for k, v in (row.metrics or {}).items() if isinstance(v, int | float)},
        "label_column": row.label_column,
        "artifact_sha256": row.artifact_sha256,
        "source": row.source,
        "features": row.feature_schema,
    }


def registration_out(prepared: Prepared, saved: ModelVersion | None) -> dict:
    """What a registration made (``saved``) or, for a dry run (None), would make."""
    # A dry run shows the row it would store, unsaved.
    out = version_out(saved if saved is not None else _row(prepared, registered_at=prepared.trained_at))
    return {
        "saved": saved is not None,
        "name": prepared.name,
        "version": out,
        "schema_inferred": prepared.schema_inferred,
        "reference_rows": prepared.source["reference_rows"],
    }


def _versions(session: Session, name: str) -> list[ModelVersion]:
    query = select(ModelVersion).where(ModelVersion.model_name == name).order_by(ModelVersion.registered_at.desc())
    return list(session.scalars(query))


def object_session_model(row: ModelVersion) -> RegisteredModel | None:
    """The model of a stored version (for its stage), when the row is in a session."""
    session = object_session(row)
    return session.get(RegisteredModel, row.model_name) if session is not None else None


def _model_out(model: RegisteredModel, versions: list[ModelVersion]) -> dict:
    champion = next((v for v in versions if v.version == model.champion_version), None)
    return {
        "name": model.name,
        "task": model.task,
        "description": model.description,
        "active": model.active,
        "created_at": model.created_at,
        "versions": len(versions),
        "latest": version_out(versions[0], model) if versions else None,
        "champion": version_out(champion, model) if champion is not None else None,
        "stages": stages_out(model),
    }


def models_overview(session: Session) -> list[dict]:
    """Every registered model with its newest version, the built-in model first."""
    builtin_first = (RegisteredModel.name != DEFAULT_MODEL, RegisteredModel.name)
    models = session.scalars(select(RegisteredModel).order_by(*builtin_first))
    return [_model_out(m, _versions(session, m.name)) for m in models]


def model_detail(session: Session, name: str) -> dict:
    """One model with every version, newest first; ``NotFound`` for an unknown name."""
    model = session.get(RegisteredModel, name)
    if model is None:
        raise NotFound(f"no model named {name!r}: GET /api/v1/models lists them")
    versions = _versions(session, name)
    return {**_model_out(model, versions), "history": [version_out(v, model) for v in versions]}


def version_summary(session: Session, version: str) -> dict:
    row = session.get(ModelVersion, version)
    if row is None:
        raise NotFound(f"no model version {version!r}")
    return version_out(row)
