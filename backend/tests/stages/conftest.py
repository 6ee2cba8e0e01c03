"""A second version of the demo model (``fraud``) to switch to: the champion's artifact under another version
and threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_testing import DEMO_MODEL


def add_version(engine, threshold: float = 0.99, suffix: str = "b") -> str:
    """Store a copy of the demo model's champion as a new version (another threshold: other decisions)."""
    with Session(engine) as session, session.begin():
        model = session.get(RegisteredModel, DEMO_MODEL)
        assert model is not None and model.champion_version is not None, "register the demo model first (demo_model)"
        champion = session.get(ModelVersion, model.champion_version)
        assert champion is not None
        version = f"{champion.version[:-2]}-{suffix}"
        session.add(
            ModelVersion(
                version=version,
                model_name=DEMO_MODEL,
                trained_at=champion.trained_at,
                threshold=threshold,
                metrics=champion.metrics,
                feature_schema=champion.feature_schema,
                registered_at=champion.registered_at + timedelta(seconds=1),
                format=champion.format,
                artifact=champion.artifact,
                artifact_sha256=champion.artifact_sha256,
                reference=champion.reference,
                reference_table=champion.reference_table,
                label_column=champion.label_column,
                source={"test": "a copy of the champion with another threshold"},
            )
        )
    return version


def champion_of(engine) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(RegisteredModel.champion_version).where(RegisteredModel.name == DEMO_MODEL))


@pytest.fixture
def versions(client, engine) -> tuple[str, str]:
    """(the demo model's champion, a second version of it)."""
    first = champion_of(engine)
    assert first is not None
    return first, add_version(engine)


def without_poller(client):
    """The runtime of ``client`` with its routing poller stopped, so the registry is read when the test
    says (``runtime.router.refresh()``, what the poller does every ``ROUTING_POLL_S``) or, as in any process
    without a poller, on a request once ``ROUTING_POLL_S`` has passed: never swapped back by a poll that
    read the registry just before the test changed it."""
    runtime = client.app.state.driftwatch
    runtime.router.stop()
    return runtime
