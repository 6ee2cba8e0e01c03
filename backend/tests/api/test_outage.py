"""A 30 s PostgreSQL outage under 100 req/s: no 500, no acknowledged prediction lost (the
backend read the registry at start and keeps scoring with the champion it loaded), and the
live channel says it is degraded while it lasts."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import select
from websockets.sync.client import connect

from driftwatch_core.db.models import Prediction
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import TEST_PREDICT_KEY, auth, database_behind_proxy, run_backend

pytestmark = pytest.mark.slow

RATE, BEFORE_S, OUTAGE_S, AFTER_S = 100, 5.0, 30.0, 5.0
SENT = int(RATE * (BEFORE_S + OUTAGE_S + AFTER_S))
READS = ("/api/v1/stats", "/api/v1/simulator", "/api/v1/alerts", "/api/v1/drift", "/api/v1/predictions")


class Load:
    """Paced POST /predict at RATE req/s plus one read of each READS route per second."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.statuses: Counter = Counter()
        self.acknowledged: set[str] = set()
        self.transport_errors: Counter = Counter()
        self.rows = TransactionGenerator(seed=5).sample(SENT).records()

    async def _predict(self, client: httpx.AsyncClient, row: dict) -> None:
        try:
            response = await client.post("/api/v1/predict", json=row)
        except httpx.TransportError as exc:
            self.transport_errors[type(exc).__name__] += 1
            return
        self.statuses[("predict", response.status_code)] += 1
        if response.status_code == 200:
            self.acknowledged.add(response.json()["prediction_id"])

    async def _read(self, client: httpx.AsyncClient, path: str) -> None:
        try:
            response = await client.get(path)
        except httpx.TransportError as exc:
            self.transport_errors[type(exc).__name__] += 1
            return
        self.statuses[(path, response.status_code)] += 1

    async def run(self, count: int) -> None:
        """Send ``count`` predictions paced at RATE (late ones go out late, none is skipped)."""
        async with httpx.AsyncClient(
            base_url=self.base, timeout=30, headers=auth(TEST_PREDICT_KEY), limits=httpx.Limits(max_connections=64)
        ) as client:
            tasks: set[asyncio.Task] = set()
            start = time.monotonic()
            for k in range(count):
                if (wait := start + k / RATE - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                batch = [self._predict(client, self.rows[k])]
                if k % RATE == 0:  # once a second, every read route and a label
                    batch += [self._read(client, path) for path in READS]
                    label = {"prediction_id": next(iter(self.acknowledged), str(uuid.UUID(int=0))), "label": False}
                    batch.append(self._status("feedback", client.post("/api/v1/feedback", json=label)))
                for coroutine in batch:
                    task = asyncio.create_task(coroutine)
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)

    async def _status(self, name: str, request) -> None:
        try:
            self.statuses[(name, (await request).status_code)] += 1
        except httpx.TransportError as exc:
            self.transport_errors[type(exc).__name__] += 1


def listen(base: str, events: list, stop: threading.Event) -> None:
    with connect(base.replace("http", "ws", 1) + "/ws/live", open_timeout=10) as conn:
        while not stop.is_set():
            try:
                events.append(json.loads(conn.recv(timeout=0.5))["type"])
            except TimeoutError:
                continue


def test_a_30_s_database_outage_under_100_rps_loses_nothing_and_answers_no_500(
    database_url, demo_model, clean_db, tmp_path
):
    events: list[str] = []
    stop = threading.Event()
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        with run_backend(via_proxy, tmp_path / "backend.log", RATE_LIMIT_PER_KEY="1000/second") as base:
            listener = threading.Thread(target=listen, args=(base, events, stop), daemon=True)
            listener.start()
            threading.Timer(BEFORE_S, proxy.cut).start()
            threading.Timer(BEFORE_S + OUTAGE_S, proxy.start).start()
            load = Load(base)
            asyncio.run(load.run(SENT))
            deadline = time.monotonic() + 60
            while httpx.get(f"{base}/api/v1/stats", timeout=10).json().get("pending_writes", 1):
                assert time.monotonic() < deadline, "the writer did not catch up after the outage"
                time.sleep(0.5)
            stop.set()
            listener.join(10)

    server_errors = {k: v for k, v in load.statuses.items() if k[1] >= 500 and k[1] != 503}
    assert not server_errors, load.statuses
    assert not load.transport_errors, (load.transport_errors, load.statuses)  # no dropped connection either
    outage_503 = sum(v for (name, status), v in load.statuses.items() if status == 503)
    assert outage_503 > 0, f"the outage was not felt: {load.statuses}"
    assert load.statuses[("predict", 200)] == SENT == len(load.acknowledged), load.statuses
    with clean_db.connect() as conn:
        stored = {str(i) for i in conn.execute(select(Prediction.id)).scalars()}
    assert load.acknowledged <= stored, f"{len(load.acknowledged - stored)} acknowledged predictions lost"
    assert "degraded" in events and "recovered" in events[events.index("degraded") :], events[:20]
