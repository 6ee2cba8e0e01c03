"""A second version of the fraud model to switch to: the champion's artifact under another version and threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import DEFAULT_MODEL, ModelVersion, RegisteredModel


def add_version(engine, threshold: float = 0.99, suffix: str = "b") -> str:
    """Store a copy of the fraud champion as a new version (another threshold: other decisions)."""
    with Session(engine) as session, session.begin():
        model = session.get(RegisteredModel, DEFAULT_MODEL)
        assert model is not None and model.champion_version is not None, "the backend registers its model first"
        champion = session.get(ModelVersion, model.champion_version)
        assert champion is not None
        version = f"{champion.version[:-2]}-{suffix}"
        session.add(
            ModelVersion(
                version=version,
                model_name=DEFAULT_MODEL,
                trained_at=champion.trained_at,
                threshold=threshold,
                metrics=champion.metrics,
                feature_schema=champion.feature_schema,
                registered_at=champion.registered_at + timedelta(seconds=1),
                format=champion.format,
                artifact=champion.artifact,
                artifact_sha256=champion.artifact_sha256,
                reference=champion.reference,
                label_column=champion.label_column,
                source={"test": "a copy of the champion with another threshold"},
            )
        )
    return version


def champion_of(engine) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(RegisteredModel.champion_version).where(RegisteredModel.name == DEFAULT_MODEL))


@pytest.fixture
def versions(client, engine) -> tuple[str, str]:
    """(the champion the backend registered, a second version of the fraud model)."""
    first = champion_of(engine)
    assert first is not None
    return first, add_version(engine)
