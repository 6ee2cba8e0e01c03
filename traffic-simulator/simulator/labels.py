"""Delayed ground truth: a bounded queue of labels and the task that posts them in batches.

Each label is the generator's truth for the transaction (never the model's
answer), due ``delay_s`` (jittered ±20%) after the prediction. When the queue
is full the label due soonest (the oldest) is dropped and counted. On
shutdown, :meth:`LabelSender.flush` sends everything still queued, due or
not, until its deadline; what is left then is dropped and counted.

A batch the backend did not take for a reason that can pass (unreachable,
5xx, 429, 401/403 while the key is wrong) goes back into the queue; a 429
pauses posting for at least its ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import random
import time
from dataclasses import dataclass, field

import httpx

from simulator.backoff import Backoff, pause
from simulator.client import refused_message, request_id, retry_after_s
from simulator.stats import Stats

log = logging.getLogger(__name__)

BATCH_MAX = 1_000
SEND_INTERVAL_S = 0.5
BATCHES_PER_SEND = 5  # at most 10 posts a second, even while a backlog drains (10,000 labels/s)
JITTER = 0.2
DROP_WARNING_INTERVAL_S = 10.0


@dataclass(order=True)
class PendingLabel:
    due: float
    seq: int
    prediction_id: str = field(compare=False)
    label: bool = field(compare=False)


class LabelQueue:
    """Labels waiting until they are due, ordered by due time, at most ``maxlen`` of them."""

    def __init__(self, maxlen: int, stats: Stats, rng: random.Random | None = None) -> None:
        self.maxlen, self.stats = maxlen, stats
        self.rng = rng or random.Random()
        self._heap: list[PendingLabel] = []
        self._seq = itertools.count()
        self._warned_at = -DROP_WARNING_INTERVAL_S

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, prediction_id: str, label: bool, delay_s: float) -> None:
        due = time.monotonic() + delay_s * self.rng.uniform(1 - JITTER, 1 + JITTER)
        self.push([PendingLabel(due, next(self._seq), prediction_id, label)])
        self.stats.totals.labels_queued += 1

    def push(self, items: list[PendingLabel]) -> None:
        """Queue ``items`` (new ones, or a batch to retry), dropping the oldest beyond ``maxlen``."""
        for item in items:
            heapq.heappush(self._heap, item)
        overflow = len(self._heap) - self.maxlen
        if overflow > 0:
            for _ in range(overflow):
                heapq.heappop(self._heap)
            self.stats.totals.labels_dropped += overflow
            if time.monotonic() - self._warned_at >= DROP_WARNING_INTERVAL_S:  # not once per label
                self._warned_at = time.monotonic()
                log.warning(
                    "label queue full (%d): dropping the oldest labels, %d dropped so far",
                    self.maxlen,
                    self.stats.totals.labels_dropped,
                )

    def pop(self, limit: int, due_by: float | None = None) -> list[PendingLabel]:
        """Up to ``limit`` labels due by ``due_by`` (any when None), soonest first."""
        items: list[PendingLabel] = []
        while self._heap and len(items) < limit and (due_by is None or self._heap[0].due <= due_by):
            items.append(heapq.heappop(self._heap))
        return items


class LabelSender:
    """Posts due labels to ``/api/v1/feedback`` in batches, backing off while the backend fails."""

    def __init__(self, client: httpx.AsyncClient, queue: LabelQueue, stats: Stats) -> None:
        self.client, self.queue, self.stats = client, queue, stats
        self.backoff = Backoff("posting labels to /api/v1/feedback")
        self._refusal_logged = False

    async def run(self, stop: asyncio.Event) -> None:
        """Send labels as they fall due until ``stop`` is set."""
        while not await pause(stop, self.backoff.remaining() or SEND_INTERVAL_S):
            for _ in range(BATCHES_PER_SEND):
                batch = self.queue.pop(BATCH_MAX, due_by=time.monotonic())
                if not batch or not await self.post(batch):
                    break

    async def flush(self, timeout_s: float) -> None:
        """Send every queued label, due or not, for at most ``timeout_s``; drop and count the rest."""
        deadline = time.monotonic() + timeout_s
        while len(self.queue) and time.monotonic() < deadline:
            await asyncio.sleep(min(self.backoff.remaining(), max(0.0, deadline - time.monotonic())))
            batch = self.queue.pop(BATCH_MAX)
            try:
                await asyncio.wait_for(self.post(batch), max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                self.queue.push(batch)
        if len(self.queue):
            left = self.queue.pop(len(self.queue))
            self.stats.totals.labels_dropped += len(left)
            log.warning("shutdown: dropped %d label(s) not sent within %.1f s", len(left), timeout_s)

    async def post(self, batch: list[PendingLabel]) -> bool:
        """Post one batch; True when the backend answered it (stored or refused), False to retry later."""
        body = {"items": [{"prediction_id": i.prediction_id, "label": i.label} for i in batch]}
        try:
            response = await self.client.post("/api/v1/feedback", json=body)
        except httpx.TransportError as exc:
            return self._retry(batch, f"{type(exc).__name__}: {exc}, request {request_id(exc)}")
        status = response.status_code
        if status == 429:
            self.stats.totals.rate_limited += 1
            self.queue.push(batch)
            wait = retry_after_s(response)
            if wait is None:
                self.backoff.failure(f"HTTP 429 without Retry-After, request {request_id(response)}")
            else:
                self.backoff.hold(wait, f"HTTP 429, request {request_id(response)}")
            return False
        if status in (401, 403):
            if not self._refusal_logged:
                self._refusal_logged = True
                log.error(refused_message("POST /api/v1/feedback", response, "predict"))
            return self._retry(batch, f"HTTP {status}", quiet=True)
        if status >= 500:
            return self._retry(batch, f"HTTP {status}, request {request_id(response)}")
        self.backoff.success()
        self._refusal_logged = False
        if status == 200:
            self.stats.totals.labels_sent += len(batch)
            return True
        return self._refused(batch, response)

    def _retry(self, batch: list[PendingLabel], reason: str, quiet: bool = False) -> bool:
        self.queue.push(batch)
        self.backoff.failure(reason, quiet=quiet)
        return False

    def _refused(self, batch: list[PendingLabel], response: httpx.Response) -> bool:
        """404/409 name the offending ids: drop those and retry the rest; anything else drops the batch."""
        try:
            bad = set(response.json().get("prediction_ids") or ())
        except ValueError:
            bad = set()
        keep = [i for i in batch if i.prediction_id not in bad] if bad else []
        self.stats.totals.labels_rejected += len(batch) - len(keep)
        log.warning(
            "backend refused %d label(s) (HTTP %d: %s; request %s)",
            len(batch) - len(keep),
            response.status_code,
            response.text[:200],
            request_id(response),
        )
        self.queue.push(keep)
        return True
