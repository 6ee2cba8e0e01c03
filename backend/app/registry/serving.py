"""Serving registered models: each version loaded once per process, the newest one answered.

``ModelRegistry.get(name)`` returns the ``ServedModel`` of a model's newest
registered version: its scorer (``formats.load`` on the stored artifact, done
once per version and cached), its feature schema, the request model generated
from that schema, its threshold. Which version is newest is read from the
database at most every ``refresh_s`` seconds per model, so a version registered
through another process is served within that time without a restart; a request
keeps the ``ServedModel`` it started with.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ml.encoding import encode_rows
from app.registry import formats
from app.schemas.transaction import row_model
from app.services.errors import Invalid, NotFound
from driftwatch_core.db.models import DEFAULT_MODEL, ModelVersion, RegisteredModel
from driftwatch_core.features import Feature, schema_from_dicts

REFRESH_S = 5.0


@dataclass(frozen=True)
class ServedModel:
    name: str
    version: str
    format: str
    scorer: formats.Scorer
    schema: tuple[Feature, ...]
    threshold: float
    row_model: type[BaseModel]

    def score(self, rows: list[dict]) -> np.ndarray:
        """Positive-class probabilities of validated rows, in one model call."""
        return self.scorer.predict_proba(encode_rows(rows, self.schema))


def _load(row: ModelVersion) -> ServedModel:
    if row.artifact is None:
        raise NotFound(f"version {row.version} of model {row.model_name!r} has no stored artifact")
    schema = schema_from_dicts(row.feature_schema)
    title = "".join(part.capitalize() for part in row.model_name.split("-")) + "Row"
    return ServedModel(
        name=row.model_name,
        version=row.version,
        format=row.format,
        scorer=formats.load(row.artifact, row.format),
        schema=schema,
        threshold=float(row.threshold),
        row_model=row_model(title, schema, f"One input row of model {row.model_name!r}: every feature, nothing else."),
    )


class ModelRegistry:
    def __init__(self, session_factory: Callable[[], Session], refresh_s: float = REFRESH_S) -> None:
        self._sessions = session_factory
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._loaded: dict[str, ServedModel] = {}  # version -> loaded
        self._newest: dict[str, tuple[float, str]] = {}  # model -> (checked at, version)

    def get(self, name: str, fraud_version: str | None = None) -> ServedModel:
        """The newest version of ``name`` (for the built-in model, ``fraud_version``: the one this
        process serves when it has one); ``NotFound`` when no such model (or no version)."""
        if name == DEFAULT_MODEL and fraud_version is not None:
            return self.version(fraud_version)
        checked = self._newest.get(name)
        if checked is None or time.monotonic() - checked[0] > self._refresh_s:
            with self._sessions() as session:
                version = self._newest_version(session, name)
            checked = (time.monotonic(), version)
            self._newest[name] = checked
        return self.version(checked[1])

    def version(self, version: str) -> ServedModel:
        served = self._loaded.get(version)
        if served is not None:
            return served
        with self._lock:  # one load per version, however many requests arrive at once
            served = self._loaded.get(version)
            if served is None:
                with self._sessions() as session:
                    row = session.get(ModelVersion, version)
                    if row is None:
                        raise NotFound(f"no model version {version!r}")
                    served = _load(row)
                self._loaded[version] = served
        return served

    @staticmethod
    def _newest_version(session: Session, name: str) -> str:
        if session.get(RegisteredModel, name) is None:
            raise NotFound(f"no model named {name!r}: GET /api/v1/models lists them")
        version = session.scalar(
            select(ModelVersion.version)
            .where(ModelVersion.model_name == name)
            .order_by(ModelVersion.registered_at.desc())
            .limit(1)
        )
        if version is None:
            raise NotFound(f"model {name!r} has no registered version yet")
        return version


def explain_row(served: ServedModel, row: dict) -> dict:
    """TreeSHAP contributions of one validated row; ``Invalid`` for a model without them."""
    if not served.scorer.explainable:
        raise Invalid(
            [
                (
                    "model",
                    f"{served.name} {served.version} is an {served.format} model: explanations need a tree "
                    "booster (XGBoost, TreeSHAP); it is scored and monitored but not explained",
                )
            ]
        )
    X = encode_rows([row], served.schema)
    contributions = served.scorer.contributions(X)[0]
    return {
        "model": served.name,
        "model_version": served.version,
        "score": float(served.scorer.predict_proba(X)[0]),
        "base_value": float(contributions[-1]),
        "margin": float(contributions.sum()),
        "contributions": {f.name: float(v) for f, v in zip(served.schema, contributions[:-1], strict=True)},
    }
