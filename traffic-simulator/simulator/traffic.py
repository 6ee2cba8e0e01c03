"""Paced prediction traffic: request k goes out at ``start + k / rps``, whatever the latency.

Concurrency is bounded by a semaphore. When the simulator falls more than
``MAX_LAG_S`` (or ``MAX_CATCH_UP`` sends) behind its schedule (slow backend,
all slots busy) it skips the missed sends (counted) instead of bursting to
catch up, so no one-second window holds more than ``rps + MAX_CATCH_UP``
requests: at the top rate, 250 a second, inside the backend's per-key limit
(``RATE_LIMIT_PER_KEY``, 300/second by default). While the
backend fails, traffic pauses under exponential back-off; a 429 pauses it
for at least its ``Retry-After``; a 401/403 (no key, a wrong key) logs what
``SIM_API_KEY`` must be, once, and backs off. The failed transactions are not
retried (they are synthetic), only counted.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time

import httpx

from driftwatch_core.generator import TransactionGenerator
from simulator.backoff import Backoff, pause
from simulator.client import refused_message, request_id, retry_after_s
from simulator.control import Control
from simulator.labels import LabelQueue
from simulator.stats import Stats

log = logging.getLogger(__name__)
MAX_LAG_S = 1.0
MAX_CATCH_UP = 50  # sends: the lag allowed at 200 req/s is 0.25 s
MAX_SLEEP_S = 0.25  # re-read the rate and the back-off at least this often
#: Transactions come from this many cards, visited in a scrambled order (the stride is prime to it).
CARDS = 5_000
ENTITY_STRIDE = 7_919
ENTITY_HEADER = "X-Entity-ID"


class TransactionSource:
    """Transactions with their true labels, drawn about one second of traffic at a time."""

    def __init__(self, generator: TransactionGenerator, control: Control) -> None:
        self.generator, self.control = generator, control
        self._rows: list[tuple[dict, bool]] = []

    async def next(self) -> tuple[dict, bool]:
        if not self._rows:
            n = max(1, math.ceil(self.control.rps))
            drift = self.control.scenario.tick(self.control.scenario_time())
            batch = await asyncio.to_thread(self.generator.sample, n, drift)
            self._rows = list(zip(batch.records(), (bool(v) for v in batch.labels), strict=True))
            self._rows.reverse()  # pop() from the end keeps the generated order
        return self._rows.pop()


class Traffic:
    """Sends paced ``POST /api/v1/predict`` requests and queues the labels of the answered ones."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        control: Control,
        source: TransactionSource,
        labels: LabelQueue,
        stats: Stats,
        rng: random.Random,
    ) -> None:
        self.client, self.control, self.source = client, control, source
        self.labels, self.stats, self.rng = labels, stats, rng
        self.backoff = Backoff("sending predictions to /api/v1/predict")
        self._sent = 0
        self._refusal_logged = False  # the 401/403 line is logged once until a request succeeds
        self._tasks: set[asyncio.Task] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send on schedule until ``stop`` is set; in-flight requests are left to :meth:`drain`."""
        slots = asyncio.Semaphore(self.control.settings.concurrency)
        rps, start, k = self.control.rps, time.monotonic(), 0
        while not stop.is_set():
            if self.backoff.remaining():
                await pause(stop, self.backoff.remaining())
                start, k = time.monotonic(), 0
                continue
            if self.control.rps != rps:
                rps, start, k = self.control.rps, time.monotonic(), 0
            lateness = time.monotonic() - (start + k / rps)
            if lateness < 0:
                await asyncio.sleep(min(-lateness, MAX_SLEEP_S))
                continue
            if lateness > min(MAX_LAG_S, MAX_CATCH_UP / rps):
                skipped = int(lateness * rps)
                self.stats.totals.skipped += skipped
                log.warning("%.1f s behind schedule: skipping %d send(s)", lateness, skipped)
                start, k = time.monotonic(), 0
            await slots.acquire()
            row, label = await self.source.next()
            self._sent += 1
            entity = f"card-{(self._sent * ENTITY_STRIDE) % CARDS:05d}"
            task = asyncio.create_task(self._send(row, label, slots, entity))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            k += 1

    async def drain(self, timeout_s: float) -> None:
        """Wait for in-flight requests (their labels get queued); cancel them after ``timeout_s``."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in late:
                task.cancel()

    async def _send(self, row: dict, label: bool, slots: asyncio.Semaphore, entity: str) -> None:
        started = time.perf_counter()
        try:
            # The card the transaction is on: a canary answers the same card the same way every time.
            response = await self.client.post("/api/v1/predict", json=row, headers={ENTITY_HEADER: entity})
        except httpx.TransportError as exc:
            self._failed(started, f"{type(exc).__name__}: {exc}", request_id(exc), retry=True)
            return
        finally:
            slots.release()
        if response.status_code != 200:
            self._refused(started, response)
            return
        try:
            prediction_id = str(response.json()["prediction_id"])
        except (ValueError, KeyError, TypeError):
            self._failed(started, f"bad response: {response.text[:200]}", request_id(response), retry=False)
            return
        self.stats.request(time.perf_counter() - started)
        self.backoff.success()
        self._refusal_logged = False
        if self.rng.random() < self.control.settings.label_rate:
            delay = self.control.scenario.label_delay_s
            delay = self.control.settings.label_delay_s if delay is None else delay
            self.labels.add(prediction_id, label, delay)

    def _refused(self, started: float, response: httpx.Response) -> None:
        status, rid = response.status_code, request_id(response)
        if status == 429:
            self.stats.totals.rate_limited += 1
            self.stats.request(time.perf_counter() - started, "HTTP 429")
            wait = retry_after_s(response)
            if wait is None:
                self.backoff.failure(f"HTTP 429 without Retry-After, request {rid}")
            else:
                self.backoff.hold(wait, f"HTTP 429, request {rid}")
        elif status in (401, 403):
            self.stats.request(time.perf_counter() - started, f"HTTP {status}")
            if not self._refusal_logged:
                self._refusal_logged = True
                log.error(refused_message("POST /api/v1/predict", response, "predict"))
            self.backoff.failure(f"HTTP {status}", quiet=True)
        else:
            self._failed(started, f"HTTP {status}: {response.text[:200]}", rid, retry=status >= 500)

    def _failed(self, started: float, reason: str, rid: str, retry: bool) -> None:
        kind = reason.split(":")[0]
        if kind not in self.stats.totals.errors:
            log.warning("prediction request failed (request %s): %s", rid, reason)
        self.stats.request(time.perf_counter() - started, kind)
        if retry:
            self.backoff.failure(f"{kind}, request {rid}")
