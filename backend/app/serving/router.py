"""Who answers a request of a model: the champion, or a challenger for its share, and who shadows it.

Each backend process keeps every model's ``Routing`` (``driftwatch_core.stages``:
champion, challenger, shadow or canary, share) in memory. A poller thread reads
them from the database every ``poll_s`` seconds (one small query); when a
model's generation changes it loads the versions the new routing needs *before*
swapping it in, so a promotion, rollback, canary or shadow made through any
process is served by every process within about ``poll_s`` plus the load time,
without a restart. A request takes one routing and the ``LoadedVersion`` objects
it names at its start, so a request in flight finishes on the version it started
with. Each version's artifact is loaded once per process (``load_version``) and
cached.

The registry in the database is the only source of truth: until this process has
read it once (the database is starting, or down), ``route`` raises
``RegistryUnavailable`` (the API's 503 with ``Retry-After``); once read, a database
outage leaves the routings and loaded versions as they were, so the process goes on
serving through it. Without the poller (a process that has not started it, tests),
a routing older than ``poll_s`` is read again on the request path.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.errors import Busy, NotFound
from app.registry.lookup import unknown_model
from app.serving.versions import LoadedVersion, load_version
from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.stages import Routing, routing_of, routings

log = logging.getLogger(__name__)

POLL_S = 1.0
#: What a request waiting for the registry is told to wait, in seconds.
RETRY_REGISTRY_S = 2


class RegistryUnavailable(Busy):
    """This process has not read the model registry yet (the database is unreachable)."""

    def __init__(self) -> None:
        super().__init__(
            "the model registry has not been read yet (the database is starting or unreachable); retry shortly",
            retry_after_s=RETRY_REGISTRY_S,
        )


@dataclass(frozen=True)
class Route:
    """Who answers one request, and who scores it in shadow (None: nobody)."""

    answer: LoadedVersion
    stage: str  # champion | canary
    shadow: LoadedVersion | None = None


class VersionRouter:
    def __init__(self, session_factory: Callable[[], Session], poll_s: float = POLL_S) -> None:
        self._sessions = session_factory
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._loaded: dict[str, LoadedVersion] = {}  # version -> loaded
        self._routes: dict[str, Routing] = {}
        self._read_at = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def has_read(self) -> bool:
        """The registry has been read at least once: routing decisions can be made."""
        return self._read_at > float("-inf")

    # --- the poller -------------------------------------------------------------------
    def start(self) -> None:
        thread = threading.Thread(target=self._run, name="model-routing", daemon=True)
        thread.start()
        self._thread = thread  # only a started thread is ever joined by stop()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop polling; returns once a refresh under way has finished (none swaps a routing in after)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

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

    def knows(self, name: str) -> bool:
        """``name`` is a model of the registry as this process last read it."""
        return name in self._routes

    # --- the request path -----------------------------------------------------------------
    def routing(self, name: str) -> Routing:
        routing = self._routes.get(name)
        polled = self._thread is not None and self._thread.is_alive()
        if routing is None or (not polled and time.monotonic() - self._read_at > self.poll_s):
            routing = self._read_one(name)
        return routing

    def _read_one(self, name: str) -> Routing:
        try:
            with self._sessions() as session:
                model = session.get(RegisteredModel, name)
                routing = routing_of(model) if model is not None else None
        except Exception:
            if not self.has_read:
                raise RegistryUnavailable() from None
            if name in self._routes:  # serve what we have through an outage
                return self._routes[name]
            raise
        if routing is None:
            raise unknown_model(name)
        self._routes = {**self._routes, name: routing}
        self._read_at = time.monotonic()
        return routing

    def champion(self, name: str) -> LoadedVersion:
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

    def version(self, version: str) -> LoadedVersion:
        loaded = self._loaded.get(version)
        if loaded is not None:
            return loaded
        with self._lock:  # one load per version, however many requests arrive at once
            loaded = self._loaded.get(version)
            if loaded is None:
                with self._sessions() as session:
                    row = session.get(ModelVersion, version)
                    if row is None:
                        raise NotFound(f"no model version {version!r}")
                    loaded = load_version(row)
                self._loaded[version] = loaded
        return loaded

    def kinds(self, version: str) -> dict[str, str] | None:
        """Feature name -> kind of a version this process has loaded (None: not loaded here)."""
        loaded = self._loaded.get(version)
        return {f.name: f.kind for f in loaded.schema} if loaded is not None else None
