"""Paced prediction traffic: request k goes out at ``start + k / rps``, whatever the latency.

Concurrency is bounded by a semaphore. When the simulator falls more than
``MAX_LAG_S`` behind its schedule (slow backend, all slots busy) it skips
the missed sends (counted) instead of bursting to catch up. While the
backend fails, traffic pauses under exponential back-off; the failed
transactions are not retried (they are synthetic), only counted.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time

import httpx

from app.ml.generator import TransactionGenerator
from simulator.backoff import Backoff, pause
from simulator.control import Control
from simulator.labels import LabelQueue
from simulator.stats import Stats

log = logging.getLogger(__name__)
MAX_LAG_S = 1.0
MAX_SLEEP_S = 0.25  # re-read the rate and the back-off at least this often


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
            if lateness > MAX_LAG_S:
                skipped = int(lateness * rps)
                self.stats.totals.skipped += skipped
                log.warning("%.1f s behind schedule: skipping %d send(s)", lateness, skipped)
                start, k = time.monotonic(), 0
            await slots.acquire()
            row, label = await self.source.next()
            task = asyncio.create_task(self._send(row, label, slots))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            k += 1

    async def drain(self, timeout_s: float) -> None:
        """Wait for in-flight requests (their labels get queued); cancel them after ``timeout_s``."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in late:
                task.cancel()

    async def _send(self, row: dict, label: bool, slots: asyncio.Semaphore) -> None:
        started = time.perf_counter()
        try:
            response = await self.client.post("/api/v1/predict", json=row)
        except httpx.TransportError as exc:
            self._failed(started, f"{type(exc).__name__}: {exc}", retry=True)
            return
        finally:
            slots.release()
        if response.status_code != 200:
            retry = response.status_code >= 500 or response.status_code == 429
            self._failed(started, f"HTTP {response.status_code}: {response.text[:200]}", retry)
            return
        try:
            prediction_id = str(response.json()["prediction_id"])
        except (ValueError, KeyError, TypeError):
            self._failed(started, f"bad response: {response.text[:200]}", retry=False)
            return
        self.stats.request(time.perf_counter() - started)
        self.backoff.success()
        if self.rng.random() < self.control.settings.label_rate:
            delay = self.control.scenario.label_delay_s
            delay = self.control.settings.label_delay_s if delay is None else delay
            self.labels.add(prediction_id, label, delay)

    def _failed(self, started: float, reason: str, retry: bool) -> None:
        kind = reason.split(":")[0]
        if kind not in self.stats.totals.errors:
            log.warning("prediction request failed: %s", reason)
        self.stats.request(time.perf_counter() - started, kind)
        if retry:
            self.backoff.failure(reason)
