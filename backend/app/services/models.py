"""The registry as the API shows it: models, their versions and stages, a registration's outcome."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from app.core.errors import NotFound
from app.registry.lookup import registered_model
from app.registry.registration import Prepared, version_row
from app.services.stages import stages_out
from driftwatch_core import stages
from driftwatch_core.db.models import ModelVersion, RegisteredModel


def version_out(row: ModelVersion, model: RegisteredModel | None = None) -> dict:
    """A stored version as the API shows it: everything but the artifact's and reference table's bytes."""
    if model is None:
        session = object_session(row)
        model = session.get(RegisteredModel, row.model_name) if session is not None else None
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
    out = version_out(saved if saved is not None else version_row(prepared, registered_at=prepared.trained_at))
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


def _model_out(model: RegisteredModel, versions: list[ModelVersion], default_model: str) -> dict:
    champion = next((v for v in versions if v.version == model.champion_version), None)
    return {
        "name": model.name,
        "task": model.task,
        "description": model.description,
        "active": model.active,
        "is_default": model.name == default_model,
        "created_at": model.created_at,
        "versions": len(versions),
        "latest": version_out(versions[0], model) if versions else None,
        "champion": version_out(champion, model) if champion is not None else None,
        "stages": stages_out(model),
    }


def models_overview(session: Session, default_model: str) -> list[dict]:
    """Every registered model with its newest version, the default model first, then by name."""
    models = session.scalars(
        select(RegisteredModel).order_by(RegisteredModel.name != default_model, RegisteredModel.name)
    )
    return [_model_out(m, _versions(session, m.name), default_model) for m in models]


def model_detail(session: Session, name: str, default_model: str) -> dict:
    """One model with every version, newest first; ``NotFound`` for an unknown name."""
    model = registered_model(session, name)
    versions = _versions(session, name)
    return {**_model_out(model, versions, default_model), "history": [version_out(v, model) for v in versions]}


def version_summary(session: Session, version: str) -> dict:
    row = session.get(ModelVersion, version)
    if row is None:
        raise NotFound(f"no model version {version!r}")
    return version_out(row)
