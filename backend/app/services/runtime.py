"""What a running backend process holds: settings, database, the writer, the router, the shadow
scorer, the batcher, the stats cache. Built and started by ``app.wiring`` (the composition root);
routes reach it through ``app.api.deps.RuntimeDep``."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.metrics import Metrics
from app.services.batching import Batcher
from app.services.prediction_writer import PredictionWriter
from app.services.shadow import ShadowScorer
from app.services.stats import StatsCache
from app.serving.router import Route, VersionRouter
from app.serving.versions import LoadedVersion


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    metrics: Metrics
    writer: PredictionWriter
    router: VersionRouter
    shadow: ShadowScorer
    batcher: Batcher
    stats: StatsCache = field(default_factory=StatsCache)
    #: Set once the database is migrated and the registry has been read.
    schema_ready: threading.Event = field(default_factory=threading.Event)
    started_at: float = field(default_factory=time.time)

    @property
    def default_model(self) -> str:
        """The model the unscoped routes (``/predict``, ``/drift`` …) and the live channel default to."""
        return self.settings.default_model

    def route(self, name: str, entity: str | None, fallback: bytes) -> Route:
        """Who answers a request of model ``name``, and who shadows it (``app.serving.router``)."""
        return self.router.route(name, entity, fallback)

    def champion(self, name: str) -> LoadedVersion:
        """The version of ``name`` that answers."""
        return self.router.champion(name)

    def served_version(self, name: str) -> str | None:
        """The champion's version of ``name``, or None when there is none (or it cannot be read)."""
        try:
            return self.champion(name).version
        except Exception:  # noqa: BLE001
            return None
