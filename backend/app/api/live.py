"""WS /ws/live: the dashboard's live channel.

Every message is JSON ``{"type": ..., "data": ...}``:

- ``stats`` every ``LIVE_PUSH_INTERVAL_S`` (the body of ``GET /api/v1/stats``);
- ``drift`` ``{"run_id", "finished_at"}`` when a newer finished monitoring run appears;
- ``alerts`` ``{"updated_at", "open"}`` when the newest alert change or the open count moves;
- ``simulator`` (the body of ``GET /api/v1/simulator``) when the scenario or rate changes.

One broadcaster task per app, started by the first connection and stopped
after the last one leaves, polls the database once per interval for every
connection. Polling the newest ids (rather than in-process signals) is what
lets several backend replicas and a separate worker process feed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from fastapi.encoders import jsonable_encoder
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.api.routes.simulator import simulator_state
from app.api.routes.stats import stats as stats_body
from app.core.state import AppState
from app.models import Alert, MonitoringRun, SimulatorControl

log = logging.getLogger(__name__)
router = APIRouter()

QUEUE_SIZE = 64


def _latest_run(session: Session) -> dict | None:
    row = session.execute(
        select(MonitoringRun.id, MonitoringRun.finished_at)
        .where(MonitoringRun.finished_at.is_not(None))
        .order_by(MonitoringRun.id.desc())
        .limit(1)
    ).first()
    return {"run_id": row.id, "finished_at": row.finished_at} if row else None


def _alerts_marker(session: Session) -> dict:
    updated_at, open_count = session.execute(
        select(func.max(Alert.updated_at), func.sum(case((Alert.status == "open", 1), else_=0)))
    ).one()
    return {"updated_at": updated_at, "open": int(open_count or 0)}


@dataclass
class Snapshot:
    """One poll of everything the channel watches (``drift`` and ``simulator``: ``None``
    before the first cycle or the first scenario change)."""

    stats: dict
    drift: dict | None
    alerts: dict
    simulator: tuple | None  # (updated_at, rps) of the control row: what a change moves
    simulator_row: SimulatorControl | None = field(default=None, compare=False)


def take_snapshot(state: AppState) -> Snapshot:
    """Read the stats and the change markers in one short session (runs in a thread)."""
    with state.session_factory() as session:
        row = session.get(SimulatorControl, 1)
        return Snapshot(
            stats=jsonable_encoder(stats_body(session, state)),
            drift=_latest_run(session),
            alerts=_alerts_marker(session),
            simulator=(row.updated_at, row.rps) if row else None,
            simulator_row=row,
        )


@dataclass
class Broadcaster:
    """Polls the database and fans the resulting events out to every subscriber."""

    state: AppState
    interval_s: float
    subscribers: set[asyncio.Queue] = field(default_factory=set)
    last: Snapshot | None = None
    task: asyncio.Task | None = None

    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self.subscribers.add(queue)
        if self.last is not None:
            queue.put_nowait({"type": "stats", "data": self.last.stats})
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run(), name="live-broadcaster")
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)
        if not self.subscribers and self.task is not None:
            self.task.cancel()
            self.task, self.last = None, None

    def publish(self, message: dict[str, Any]) -> None:
        encoded = jsonable_encoder(message)
        for queue in self.subscribers:
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client misses a tick
                queue.put_nowait(encoded)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        failing = False
        while True:
            started = loop.time()
            try:
                await self.tick()
                if failing:
                    log.info("live channel poll recovered")
                failing = False
            except Exception:  # noqa: BLE001 - the database may be down; keep the channel open
                # One traceback per outage, not one per second.
                log.log(logging.DEBUG if failing else logging.WARNING, "live channel poll failed", exc_info=not failing)
                failing = True
            await asyncio.sleep(max(0.0, self.interval_s - (loop.time() - started)))

    async def tick(self) -> None:
        """Poll once; publish stats and, against the previous poll, what changed."""
        now = await asyncio.to_thread(take_snapshot, self.state)
        previous, self.last = self.last, now
        self.publish({"type": "stats", "data": now.stats})
        if previous is None:
            return  # the first poll is the baseline: clients loaded it over REST
        if now.drift is not None and now.drift != previous.drift:
            self.publish({"type": "drift", "data": now.drift})
        if now.alerts != previous.alerts:
            self.publish({"type": "alerts", "data": now.alerts})
        if now.simulator != previous.simulator:
            self.publish({"type": "simulator", "data": simulator_state(now.simulator_row)})


def get_broadcaster(app: FastAPI) -> Broadcaster:
    """The app's broadcaster, created on first use (kept on app.state, not in a global)."""
    broadcaster = getattr(app.state, "live", None)
    if broadcaster is None:
        state: AppState = app.state.driftwatch
        broadcaster = Broadcaster(state, state.settings.live_push_interval_s)
        app.state.live = broadcaster
    return broadcaster


async def _drain_incoming(websocket: WebSocket) -> None:
    # Clients send nothing meaningful; reading is how a close is noticed.
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()


async def _forward(websocket: WebSocket, queue: asyncio.Queue) -> None:
    while True:
        await websocket.send_json(await queue.get())


@router.websocket("/ws/live")
async def live(websocket: WebSocket) -> None:
    """Push stats every second and drift, alert and simulator events as they happen."""
    await websocket.accept()
    broadcaster = get_broadcaster(websocket.app)
    queue = broadcaster.subscribe()
    tasks = [asyncio.create_task(_drain_incoming(websocket)), asyncio.create_task(_forward(websocket, queue))]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() and not isinstance(
                task.exception(), (WebSocketDisconnect, RuntimeError)
            ):
                log.warning("live connection ended: %r", task.exception())
    finally:
        for task in tasks:
            task.cancel()
        broadcaster.unsubscribe(queue)
