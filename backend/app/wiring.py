"""The composition root of a backend process: builds its ``Runtime``, starts and stops its parts.

Nothing below imports this module. At start a thread migrates the database and reads the
model registry, retrying until the database answers (until then scoring routes answer 503
with ``Retry-After``); then the router polls the registry every ``ROUTING_POLL_S``. A backend
serves exactly what the registry says: no model is loaded from anywhere else.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading

from app.core.config import Settings
from app.core.metrics import Metrics
from app.retrain.runner import RetrainRunner
from app.services.batching import Batcher
from app.services.prediction_writer import PredictionWriter
from app.services.runtime import Runtime
from app.services.shadow import ShadowScorer
from app.serving.router import VersionRouter
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.schema import init_schema
from driftwatch_core.summaries import SlotSummarizer

log = logging.getLogger(__name__)


def writer_id() -> str:
    """This process's name on the summary rows it writes: host, pid and a random suffix
    (a pid is reused across restarts and containers)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def build_runtime(settings: Settings) -> Runtime:
    """Every part of a backend process, not started."""
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    metrics = Metrics()
    router = VersionRouter(factory, poll_s=settings.routing_poll_s)
    writer = PredictionWriter(
        engine,
        batch_size=settings.write_batch_size,
        interval_s=settings.write_interval_ms / 1000,
        max_queue=settings.write_queue_max,
        on_written=metrics.stored.inc,
        summaries=SlotSummarizer(writer_id(), lambda _model, version: router.kinds(version)),
    )
    shadow = ShadowScorer(writer, metrics, max_rows=settings.shadow_queue_max)
    batcher = Batcher(
        settings.predict_batch_max_rows, settings.predict_batch_wait_ms / 1000, metrics.batch_rows.observe
    )
    return Runtime(settings, engine, factory, metrics, writer, router, shadow, batcher)


class Lifecycle:
    """Starts a runtime's background parts and stops them in reverse."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.retrain: RetrainRunner | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        runtime = self.runtime
        runtime.writer.start()
        runtime.shadow.start()
        threading.Thread(target=self._bootstrap, name="db-bootstrap", daemon=True).start()
        if runtime.settings.retrain_runner:  # it waits for the schema, then runs queued retrain jobs
            self.retrain = RetrainRunner(runtime.session_factory, runtime.settings, ready=runtime.schema_ready)
            self.retrain.start()

    def stop(self) -> None:
        runtime = self.runtime
        self._stop.set()
        if self.retrain is not None:
            self.retrain.stop()  # terminates a running job's process (the job fails: the backend stopped)
        runtime.router.stop()
        runtime.shadow.stop()
        runtime.writer.stop()
        runtime.engine.dispose()

    def _bootstrap(self) -> None:
        """Migrate the database and read the registry, retrying until the database answers."""
        runtime, delay = self.runtime, 0.5
        while not self._stop.is_set():
            try:
                init_schema(runtime.engine)
                runtime.router.refresh()
                runtime.schema_ready.set()
                runtime.router.start()
                return
            except Exception as exc:  # noqa: BLE001 - the database may simply not be up yet
                log.warning("database not ready (%s); retry in %.1f s", type(exc).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
