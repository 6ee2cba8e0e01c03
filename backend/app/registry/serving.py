"""Serving registered models by stage: the champion answers, a challenger is tried beside it.

Each backend process keeps every model's ``Routing`` (``driftwatch_core.stages``:
champion, challenger, shadow or canary, share) in memory. A poller thread reads
them from the database every ``poll_s`` seconds (one small query); when a
model's generation changes it loads the versions the new routing needs *before*
swapping it in, so a promotion, rollback, canary or shadow made through any
process is served by every process within about ``poll_s`` plus the load time,
without a restart. A request takes one routing and the ``ServedModel`` objects it
names at its start, so a request in flight finishes on the version it started
with. Each version's artifact is loaded once per process (``formats.load``) and
cached.

Without the poller (a process that has not started it, tests), a routing
older than ``poll_s`` is read again on the request path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.registry import formats
from app.schemas.transaction import row_model
from app.services.errors import Invalid, NotFound
from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.encoding import encode_rows
from driftwatch_core.features import Feature, schema_from_dicts
from driftwatch_core.stages import Routing, routing_of, routings

log = logging.getLogger(__name__)

POLL_S = 1.0


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


@dataclass(frozen=True)
class Route:
    """Who answers one request, and who scores it in shadow (None: nobody)."""

    answer: ServedModel
    stage: str  # champion | canary
    shadow: ServedModel | None = None


def served_model(
    name: str, version: str, fmt: str, scorer: formats.Scorer, schema: tuple[Feature, ...], threshold: float
) -> ServedModel:
    title = "".join(part.capitalize() for part in name.split("-")) + "Row"
    return ServedModel(
        name=name,
        version=version,
        format=fmt,
        scorer=scorer,
        schema=schema,
        threshold=threshold,
        row_model=row_model(title, schema, f"One input row of model {name!r}: every feature, nothing else."),
    )


def _load(row: ModelVersion) -> ServedModel:
    if row.artifact is None:
        raise NotFound(f"version {row.version} of model {row.model_name!r} has no stored artifact")
    schema = schema_from_dicts(row.feature_schema)
    return served_model(
        row.model_name, row.version, row.format, formats.load(row.artifact, row.format), schema, float(row.threshold)
    )


class ModelRegistry:
    def __init__(self, session_factory: Callable[[], Session], poll_s: float = POLL_S) -> None:
        self._sessions = session_factory
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._loaded: dict[str, ServedModel] = {}  # version -> loaded
        self._routes: dict[str, Routing] = {}
        self._read_at = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    # --- the poller -------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="model-routing", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
                self.last_error = None
            except Exception as exc:  # noqa: BLE001 - the database may be down: serve what we have
                self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                log.debug("model routing not refreshed: %s", self.last_error)
            self._stop.wait(self.poll_s)

    def refresh(self) -> dict[str, Routing]:
        """Read every model's routing; load what a changed one needs, then swap it in."""
        with self._sessions() as session:
            fresh = routings(session)
        for name, routing in fresh.items():
            old = self._routes.get(name)
            if old is None or old.generation != routing.generation:
                for version in (routing.champion, routing.challenger):
                    if version is not None:
                        try:
                            self.version(version)
                        except Exception:
                            log.exception("model %s: version %s cannot be loaded", name, version)
                if old is not None:
                    log.info("model %s: routing changed to %s", name, routing)
        self._routes = fresh
        self._read_at = time.monotonic()
        return fresh

    # --- the request path -----------------------------------------------------------------
    def routing(self, name: str) -> Routing:
        routing = self._routes.get(name)
        polled = self._thread is not None and self._thread.is_alive()
        if routing is None or (not polled and time.monotonic() - self._read_at > self.poll_s):
            routing = self._read_one(name)
        return routing

    def _read_one(self, name: str) -> Routing:
        with self._sessions() as session:
            model = session.get(RegisteredModel, name)
            if model is None:
                raise NotFound(f"no model named {name!r}: GET /api/v1/models lists them")
            routing = routing_of(model)
        self._routes = {**self._routes, name: routing}
        self._read_at = time.monotonic()
        return routing

    def champion(self, name: str) -> ServedModel:
        """The version of ``name`` that answers; ``NotFound`` when no such model (or no version)."""
        routing = self.routing(name)
        if routing.champion is None:
            raise NotFound(f"model {name!r} has no registered version yet")
        return self.version(routing.champion)

    def route(self, name: str, entity: str | None, fallback: bytes) -> Route:
        """Who answers this request (the champion, or the canary for its share) and who shadows it.
        A challenger that cannot be loaded is skipped: the champion answers alone."""
        routing = self.routing(name)
        if routing.champion is None:
            raise NotFound(f"model {name!r} has no registered version yet")
        answer, shadow = routing.pick(entity, fallback)
        try:
            return Route(
                self.version(answer),
                "canary" if answer != routing.champion else "champion",
                self.version(shadow) if shadow is not None else None,
            )
        except Exception:
            if routing.challenger is None:
                raise
            return Route(self.version(routing.champion), "champion")

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

    def kinds(self, version: str) -> dict[str, str] | None:
        """Feature name -> kind of a version this process has loaded (None: not loaded here)."""
        served = self._loaded.get(version)
        return {f.name: f.kind for f in served.schema} if served is not None else None

    def remember(self, served: ServedModel) -> None:
        """A version loaded elsewhere (the fraud model from MODEL_DIR at start): not loaded again."""
        self._loaded.setdefault(served.version, served)


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
