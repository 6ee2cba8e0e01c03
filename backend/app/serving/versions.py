"""A registered version loaded in this process: its scorer, schema, threshold and request models.

``load_version`` turns a stored ``model_versions`` row into a ``LoadedVersion`` once (the
artifact is checked and parsed by ``app.registry.formats``); callers cache it. Requests are
validated against the version that answers them: ``row_model`` is the pydantic model of one
row of its schema (every feature typed and bounded, nothing else), ``rows`` parses a whole
``{"rows": [...]}`` body in one pass of pydantic's JSON parser (a third of the CPU of
``json.loads`` followed by validating the objects, at 1,000 rows).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from app.core.errors import BadRequestBody, Invalid, NotFound
from app.registry import formats
from driftwatch_core.db.models import ModelVersion
from driftwatch_core.encoding import encode_rows
from driftwatch_core.features import Feature, schema_from_dicts
from driftwatch_core.types import WholeInt

#: Most rows one batch request scores.
MAX_BATCH_ROWS = 10_000


def _field(feature: Feature) -> tuple[Any, Any]:
    common: dict[str, Any] = {"description": feature.description, "examples": [feature.example]}
    if feature.kind == "categorical":
        return Literal[feature.categories], Field(**common)
    if feature.kind == "boolean":
        return bool, Field(strict=True, **common)
    py_type = WholeInt if feature.dtype == "int" else float
    unit = f" ({feature.unit})" if feature.unit else ""
    return py_type, Field(
        strict=True,
        ge=feature.minimum,
        le=feature.maximum,
        allow_inf_nan=False,
        **{**common, "description": feature.description + unit},
    )


def row_model(title: str, schema: Sequence[Feature], doc: str) -> type[BaseModel]:
    """The request model of one row of ``schema``: every feature, typed and bounded as the
    schema says, nothing else."""
    example: dict[str, Any] = {f.name: f.example for f in schema}
    model = create_model(  # type: ignore[call-overload]
        title,
        __config__=ConfigDict(extra="forbid", json_schema_extra={"examples": [example]}),
        **{f.name: _field(f) for f in schema},
    )
    model.__doc__ = doc
    return model


def _title(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Row"


def _in_body(exc: ValidationError, *where: str | int) -> BadRequestBody:
    """A validation error as FastAPI reports one of a request body (``body.rows.3.amount``)."""
    return BadRequestBody([{**e, "loc": ("body", *where, *e["loc"])} for e in exc.errors()])


@dataclass(frozen=True)
class LoadedVersion:
    """One registered version, loaded: what scores a request of its model."""

    name: str
    version: str
    format: str
    scorer: formats.Scorer
    schema: tuple[Feature, ...]
    threshold: float
    row_model: type[BaseModel] = field(compare=False)

    def score(self, rows: list[dict]) -> np.ndarray:
        """Positive-class probabilities of validated rows, in one model call."""
        return self.scorer.predict_proba(encode_rows(rows, self.schema))

    def validate_row(self, row: Any) -> dict:
        """One row of this version's schema, or a 422 naming each bad field."""
        try:
            return self.row_model.model_validate(row).model_dump()
        except ValidationError as exc:
            raise _in_body(exc) from None

    @cached_property
    def _batch_model(self) -> type[BaseModel]:
        rows: Any = list[self.row_model]  # type: ignore[name-defined]  # a model made at run time
        return create_model(
            f"{self.row_model.__name__}Batch", rows=(rows, Field(min_length=1, max_length=MAX_BATCH_ROWS))
        )

    def parse_rows(self, body: bytes) -> list[dict]:
        """The validated rows of a ``{"rows": [...]}`` JSON body, in one pass; a 422 naming each bad field."""
        try:
            batch = self._batch_model.model_validate_json(body)
        except ValidationError as exc:
            raise _in_body(exc) from None
        return [row.model_dump() for row in batch.rows]  # type: ignore[attr-defined]

    def explain_check(self) -> None:
        """``Invalid`` (a 422 saying why) for a version whose scores cannot be explained."""
        if not self.scorer.explainable:
            raise Invalid(
                [
                    (
                        "model",
                        f"{self.name} {self.version} is an {self.format} model: explanations need a tree "
                        "booster (XGBoost, TreeSHAP); it is scored and monitored but not explained",
                    )
                ]
            )

    def explain(self, row: dict) -> dict:
        """TreeSHAP contributions of one validated row; ``Invalid`` for a model without them."""
        self.explain_check()
        X = encode_rows([row], self.schema)
        contributions = self.scorer.contributions(X)[0]
        return {
            "model": self.name,
            "model_version": self.version,
            "score": float(self.scorer.predict_proba(X)[0]),
            "base_value": float(contributions[-1]),
            "margin": float(contributions.sum()),
            "contributions": {f.name: float(v) for f, v in zip(self.schema, contributions[:-1], strict=True)},
        }


def loaded_version(
    name: str, version: str, fmt: str, scorer: formats.Scorer, schema: tuple[Feature, ...], threshold: float
) -> LoadedVersion:
    return LoadedVersion(
        name=name,
        version=version,
        format=fmt,
        scorer=scorer,
        schema=schema,
        threshold=threshold,
        row_model=row_model(_title(name), schema, f"One input row of model {name!r}: every feature, nothing else."),
    )


#: Versions loaded in this process, by what defines them (model, version, the artifact's hash, the
#: threshold and the schema): a version never changes once registered, so every router of the
#: process (one in production, one per app in tests) shares one load. The newest ``LOADED_KEPT``.
LOADED_KEPT = 16
_loaded: OrderedDict[tuple, LoadedVersion] = OrderedDict()
_loaded_lock = threading.Lock()


def load_version(row: ModelVersion) -> LoadedVersion:
    """A stored version, loaded from its artifact's bytes (checked again as at registration) once
    per process."""
    if row.artifact is None:
        raise NotFound(f"version {row.version} of model {row.model_name!r} has no stored artifact")
    key = (row.model_name, row.version, row.artifact_sha256, row.threshold, json.dumps(row.feature_schema))
    with _loaded_lock:
        if row.artifact_sha256 is not None and key in _loaded:
            _loaded.move_to_end(key)
            return _loaded[key]
    schema = schema_from_dicts(row.feature_schema)
    scorer = formats.load(row.artifact, row.format)
    loaded = loaded_version(row.model_name, row.version, row.format, scorer, schema, float(row.threshold))
    if row.artifact_sha256 is not None:
        with _loaded_lock:
            _loaded[key] = loaded
            while len(_loaded) > LOADED_KEPT:
                _loaded.popitem(last=False)
    return loaded
