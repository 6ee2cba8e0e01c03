"""Everything a running backend holds, created in the app's lifespan."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.core.config import Settings
from app.core.metrics import Metrics
from app.registry.formats import XGBoostScorer
from app.registry.service import register_trained
from app.registry.serving import ModelRegistry, Route, ServedModel, served_model
from app.retrain.runner import RetrainRunner
from app.services.batching import Batcher
from app.services.errors import Conflict
from app.services.model_service import ModelService
from app.services.prediction_writer import PredictionWriter
from app.services.shadow import ShadowScorer
from app.services.stats import StatsCache
from driftwatch_core import artifacts, stages
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.models import DEFAULT_MODEL, RegisteredModel
from driftwatch_core.db.schema import init_schema
from driftwatch_core.features import schema_from_dicts
from driftwatch_core.summaries import SlotSummarizer

log = logging.getLogger(__name__)


def writer_id() -> str:
    """This process's name on the summary rows it writes: host, pid and a random suffix
    (a pid is reused across restarts and containers)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    metrics: Metrics
    writer: PredictionWriter
    registry: ModelRegistry
    shadow: ShadowScorer
    batcher: Batcher
    model: ModelService | None = None
    #: The fraud model as MODEL_DIR holds it: served until the database says otherwise.
    fraud_fallback: ServedModel | None = None
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
        registry = ModelRegistry(factory, poll_s=settings.routing_poll_s)
        writer = PredictionWriter(
            engine,
            batch_size=settings.write_batch_size,
            interval_s=settings.write_interval_ms / 1000,
            max_queue=settings.write_queue_max,
            on_written=metrics.stored.inc,
            summaries=SlotSummarizer(writer_id(), lambda _model, version: registry.kinds(version)),
        )
        shadow = ShadowScorer(writer, metrics, max_rows=settings.shadow_queue_max)
        batcher = Batcher(
            settings.predict_batch_max_rows, settings.predict_batch_wait_ms / 1000, metrics.batch_rows.observe
        )
        state = cls(settings, engine, factory, metrics, writer, registry, shadow, batcher)
        state.load_model()
        return state

    def load_model(self) -> None:
        try:
            paths = artifacts.resolve(self.settings.model_dir, self.settings.model_version)
            self.model = ModelService(paths)
            self.model_error = None
            meta = self.model.metadata
            self.fraud_fallback = served_model(
                DEFAULT_MODEL,
                self.model.version,
                "xgboost-json",
                XGBoostScorer(self.model.booster, "xgboost-json", logitraw=False),
                schema_from_dicts(meta["feature_schema"]),
                self.model.threshold,
            )
            self.registry.remember(self.fraud_fallback)
            self.metrics.model_info.labels(self.model.version).set(1)
            log.info("serving model %s from %s", self.model.version, paths.folder)
        except (artifacts.ArtifactNotFound, OSError, ValueError) as exc:
            self.model, self.model_error = None, str(exc)
            log.error("no model loaded: %s", exc)

    def start(self) -> None:
        self.writer.start()
        self.shadow.start()
        threading.Thread(target=self._bootstrap_db, name="db-bootstrap", daemon=True).start()
        if self.settings.retrain_runner:  # it waits for the schema, then runs queued retrain jobs
            self.retrain = RetrainRunner(self.session_factory, self.settings, ready=self.schema_ready)
            self.retrain.start()

    def stop(self) -> None:
        self._stop.set()
        if self.retrain is not None:
            self.retrain.stop()  # terminates a running job's process (the job fails: the backend stopped)
        self.registry.stop()
        self.shadow.stop()
        self.writer.stop()
        self.engine.dispose()

    def route(self, name: str, entity: str | None, fallback: bytes) -> Route:
        """Who answers a request of model ``name`` (and who shadows it). Until the database has
        the fraud model's stages (it is starting, or down), MODEL_DIR's version answers alone."""
        try:
            return self.registry.route(name, entity, fallback)
        except Exception:
            if name != DEFAULT_MODEL or self.fraud_fallback is None:
                raise
            return Route(self.fraud_fallback, "champion")

    def champion(self, name: str = DEFAULT_MODEL) -> ServedModel:
        """The version of ``name`` that answers (for the fraud model, MODEL_DIR's until the database says)."""
        try:
            return self.registry.champion(name)
        except Exception:
            if name != DEFAULT_MODEL or self.fraud_fallback is None:
                raise
            return self.fraud_fallback

    def served_version(self, name: str = DEFAULT_MODEL) -> str | None:
        try:
            return self.champion(name).version
        except Exception:  # noqa: BLE001
            return None

    def serving_ready(self) -> bool:
        try:
            self.champion(DEFAULT_MODEL)
            return True
        except Exception:  # noqa: BLE001
            return False

    def _bootstrap_db(self) -> None:
        """Create the schema and register the model, retrying until the database answers."""
        delay, raced = 0.5, False
        while not self._stop.is_set():
            try:
                init_schema(self.engine)
                if self.model is not None:
                    self._register_model()
                self.registry.refresh()
                self.schema_ready.set()
                self.registry.start()
                return
            except (IntegrityError, Conflict):  # a unique key, or the registry's own check of it
                if not raced:  # another server process registered the model first: read it now
                    raced = True
                    log.info("another server process registered the model at the same moment; reading it")
                    continue
                log.warning("registering the model failed twice on a constraint; retry in %.1f s", delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
            except Exception as exc:  # noqa: BLE001 - the database may simply not be up yet
                log.warning("database not ready (%s); retry in %.1f s", type(exc).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _register_model(self) -> None:
        """The served model's version in the registry, artifact and reference included."""
        assert self.model is not None
        with self.session_factory.begin() as session:
            register_trained(session, self.model.paths)
            pin = self.settings.model_version
            model = session.get(RegisteredModel, DEFAULT_MODEL)
            if pin and model is not None and model.champion_version != pin:
                stages.promote(session, DEFAULT_MODEL, pin, actor="startup", reason="MODEL_VERSION pins it")
