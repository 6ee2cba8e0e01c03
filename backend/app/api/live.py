"""WS /ws/live?model=<name>: the dashboard's live channel of one model (the default model's
without ``model``).

Every message is JSON ``{"type": ..., "data": ...}``, one of the models of
``app.schemas.live.LiveMessage`` (published in the OpenAPI components). The first
four are the model's own; the others are the same on every model's channel:

- ``stats`` every ``LIVE_PUSH_INTERVAL_S`` (the body of ``GET /api/v1/models/{name}/stats``);
- ``drift`` ``{"run_id", "finished_at"}`` when a newer finished monitoring run appears;
- ``alerts`` ``{"updated_at", "open"}`` when the newest alert change or the open count moves;
- ``incidents`` ``{"updated_at", "open", "acknowledged", "resolved", "newest"}`` (the counts
  per status and the newest incident) when an incident opens, changes or resolves;
- ``simulator`` (the body of ``GET /api/v1/simulator``) when the scenario or rate changes;
- ``models`` (the newest model event: a promotion, rollback, shadow, canary, retrain, gate
  decision) when a newer one appears;
- ``degraded`` ``{"since", "reason"}`` once a poll fails or takes longer than
  ``STALL_S`` (the database is unreachable: figures are frozen), sent at once to a
  client that connects meanwhile, and ``recovered`` ``{"since", "at"}`` after.

Browsers may connect only from an origin in ``CORS_ORIGINS`` (or the backend's own);
with ``REQUIRE_AUTH_FOR_READS=1`` a key or session cookie is needed too; ``model``
must be a registered model. A refused handshake is closed with code 1008 before it
is accepted (HTTP 403).

One broadcaster task per model, started by its first connection and stopped
after its last one leaves, polls the database once per interval for every
connection to it (``app.services.live.take_snapshot``). Polling the newest ids
(rather than in-process signals) is what lets several backend replicas and a
separate worker process feed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

from app.core.ratelimit import identify
from app.core.security import Security
from app.schemas.live import (
    AlertsMessage,
    DegradedMessage,
    DriftMessage,
    IncidentsMessage,
    ModelsMessage,
    RecoveredMessage,
    SimulatorMessage,
    StatsMessage,
    encode,
)
from app.services.live import Snapshot, take_snapshot
from app.services.runtime import Runtime
from driftwatch_core.db.models import utcnow

log = logging.getLogger(__name__)
router = APIRouter()

QUEUE_SIZE = 64
#: A poll slower than this counts as failed: the channel says ``degraded`` within ~2 s.
STALL_S = 1.5


@dataclass
class Broadcaster:
    """Polls the database for one model and fans the resulting events out to its subscribers."""

    runtime: Runtime
    model: str
    interval_s: float
    subscribers: set[asyncio.Queue] = field(default_factory=set)
    last: Snapshot | None = None
    task: asyncio.Task | None = None
    degraded: DegradedMessage | None = None  # sent while the database is unreachable
    _polling: asyncio.Future | None = None

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        if self.degraded is not None:
            queue.put_nowait(encode(self.degraded))
        elif self.last is not None:
            queue.put_nowait(encode(StatsMessage.model_validate({"type": "stats", "data": self.last.stats})))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name=f"live-broadcaster-{self.model}")
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)
        if not self.subscribers and self.task is not None:
            self.task.cancel()
            self.task, self.last, self.degraded = None, None, None

    def publish(self, message: BaseModel) -> None:
        """Send one ``LiveMessage`` to every subscriber."""
        encoded = encode(message)
        for queue in self.subscribers:
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client misses a tick
                queue.put_nowait(encoded)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                await self.tick()
                self._recovered()
            except Exception as exc:  # noqa: BLE001 - the database may be down; keep the channel open
                self._degrade(exc)
            await asyncio.sleep(max(0.0, self.interval_s - (loop.time() - started)))

    def _degrade(self, exc: BaseException) -> None:
        if self.degraded is not None:
            log.debug("live channel poll failed again: %r", exc)
            return
        # One traceback per outage, not one per second.
        log.warning("live channel poll failed: figures are stalled", exc_info=exc)
        self.degraded = DegradedMessage.model_validate(
            {"type": "degraded", "data": {"since": utcnow(), "reason": "database unavailable"}}
        )
        self.publish(self.degraded)

    def _recovered(self) -> None:
        if self.degraded is None:
            return
        since, self.degraded = self.degraded.data.since, None
        log.info("live channel poll recovered")
        self.publish(RecoveredMessage.model_validate({"type": "recovered", "data": {"since": since, "at": utcnow()}}))

    async def _snapshot(self) -> Snapshot:
        """The next snapshot; a poll still hanging in its thread is waited on, not repeated."""
        if self._polling is None or self._polling.done():
            self._polling = asyncio.ensure_future(asyncio.to_thread(take_snapshot, self.runtime, self.model))
        return await asyncio.wait_for(asyncio.shield(self._polling), STALL_S)

    async def tick(self) -> None:
        """Poll once; publish stats and, against the previous poll, what changed."""
        now = await self._snapshot()
        previous, self.last = self.last, now
        self.publish(StatsMessage.model_validate({"type": "stats", "data": now.stats}))
        if previous is None:
            return  # the first poll is the baseline: clients loaded it over REST
        if now.drift is not None and now.drift != previous.drift:
            self.publish(DriftMessage.model_validate({"type": "drift", "data": now.drift}))
        if now.alerts != previous.alerts:
            self.publish(AlertsMessage.model_validate({"type": "alerts", "data": now.alerts}))
        if now.incidents is not None and now.incidents != previous.incidents:
            self.publish(IncidentsMessage.model_validate({"type": "incidents", "data": now.incidents}))
        if now.simulator != previous.simulator:
            self.publish(SimulatorMessage.model_validate({"type": "simulator", "data": now.simulator_state}))
        if now.models is not None and now.models != previous.models:
            self.publish(ModelsMessage.model_validate({"type": "models", "data": now.models}))


def get_broadcaster(app: FastAPI, model: str) -> Broadcaster:
    """The model's broadcaster, created on first use (kept on app.state, not in a global)."""
    broadcasters: dict[str, Broadcaster] | None = getattr(app.state, "live", None)
    if broadcasters is None:
        app.state.live = broadcasters = {}
    broadcaster = broadcasters.get(model)
    if broadcaster is None:
        runtime: Runtime = app.state.driftwatch
        broadcaster = Broadcaster(runtime, model, runtime.settings.live_push_interval_s)
        broadcasters[model] = broadcaster
    return broadcaster


async def _drain_incoming(websocket: WebSocket) -> None:
    # Clients send nothing meaningful; reading is how a close is noticed.
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()


async def _forward(websocket: WebSocket, queue: asyncio.Queue) -> None:
    while True:
        await websocket.send_json(await queue.get())


def handshake_refusal(websocket: WebSocket, security: Security, model: str) -> str | None:
    """Why a connection may not open, or None: a foreign page, a missing credential, an unknown model."""
    origin = websocket.headers.get("origin")
    own = f"{websocket.url.scheme.replace('ws', 'http', 1)}://{websocket.headers.get('host')}"
    if origin is not None and origin not in security.allowed_origins and origin != own:
        return f"origin {origin!r} is not in CORS_ORIGINS"
    if security.settings.require_auth_for_reads and identify(websocket.scope, security).principal is None:
        return "a key or session is required (REQUIRE_AUTH_FOR_READS=1)"
    runtime: Runtime = websocket.app.state.driftwatch
    if model != runtime.default_model and not runtime.router.knows(model):
        return f"no model named {model[:64]!r}: GET /api/v1/models lists them"
    return None


@router.websocket("/ws/live")
async def live(websocket: WebSocket) -> None:
    """Push one model's stats every second and its drift, alert and incident events as they happen,
    with every model's changes and the simulator's."""
    model = websocket.query_params.get("model") or websocket.app.state.driftwatch.default_model
    refusal = handshake_refusal(websocket, websocket.app.state.security, model)
    if refusal is not None:
        log.warning("live connection refused: %s", refusal)
        await websocket.close(code=1008, reason=refusal[:120])
        return
    await websocket.accept()
    broadcaster = get_broadcaster(websocket.app, model)
    queue = broadcaster.subscribe()
    tasks = [asyncio.create_task(_drain_incoming(websocket)), asyncio.create_task(_forward(websocket, queue))]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if (
                not task.cancelled()
                and task.exception()
                and not isinstance(task.exception(), (WebSocketDisconnect, RuntimeError))
            ):
                log.warning("live connection ended: %r", task.exception())
    finally:
        for task in tasks:
            task.cancel()
        broadcaster.unsubscribe(queue)
