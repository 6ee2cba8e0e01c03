"""Everything a running backend holds, created in the app's lifespan."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.metrics import Metrics
from app.registry.service import register_trained
from app.registry.serving import ModelRegistry
from app.retrain.runner import RetrainRunner
from app.services.model_service import ModelService
from app.services.prediction_writer import PredictionWriter
from app.services.stats import StatsCache
from driftwatch_core import artifacts
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.schema import init_schema

log = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    metrics: Metrics
    writer: PredictionWriter
    registry: ModelRegistry
    model: ModelService | None = None
    model_error: str | None = None
    stats: StatsCache = field(default_factory=StatsCache)
    retrain: RetrainRunner | None = None
    schema_ready: threading.Event = field(default_factory=threading.Event)
    started_at: float = field(default_factory=time.time)
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        engine = make_engine(settings.database_url)
        factory = make_session_factory(engine)
        metrics = Metrics()
        writer = PredictionWriter(
            factory,
            batch_size=settings.write_batch_size,
            interval_s=settings.write_interval_ms / 1000,
            max_queue=settings.write_queue_max,
            on_written=metrics.stored.inc,
        )
        state = cls(settings, engine, factory, metrics, writer, ModelRegistry(factory))
        state.load_model()
        return state

    def load_model(self) -> None:
        try:
            paths = artifacts.resolve(self.settings.model_dir, self.settings.model_version)
            self.model = ModelService(paths)
            self.model_error = None
            self.metrics.model_info.info({"version": self.model.version})
            log.info("serving model %s from %s", self.model.version, paths.folder)
        except (artifacts.ArtifactNotFound, OSError, ValueError) as exc:
            self.model, self.model_error = None, str(exc)
            log.error("no model loaded: %s", exc)

    def start(self) -> None:
        self.writer.start()
        threading.Thread(target=self._bootstrap_db, name="db-bootstrap", daemon=True).start()
        if self.settings.retrain_runner:  # it waits for the schema, then runs queued retrain jobs
            self.retrain = RetrainRunner(self.session_factory, self.settings, ready=self.schema_ready)
            self.retrain.start()

    def stop(self) -> None:
        self._stop.set()
        if self.retrain is not None:
            self.retrain.stop()  # terminates a running job's process (the job fails: the backend stopped)
        self.writer.stop()
        self.engine.dispose()

    def _bootstrap_db(self) -> None:
        """Create the schema and register the model, retrying until the database answers."""
        delay = 0.5
        while not self._stop.is_set():
            try:
                init_schema(self.engine)
                if self.model is not None:
                    self._register_model()
                self.schema_ready.set()
                return
            except Exception as exc:  # noqa: BLE001 - the database may simply not be up yet
                log.warning("database not ready (%s); retry in %.1f s", type(exc).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _register_model(self) -> None:
        """The served model's version in the registry, artifact and reference included."""
        assert self.model is not None
        with self.session_factory.begin() as session:
            register_trained(session, self.model.paths)
