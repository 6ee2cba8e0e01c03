"""Delayed ground truth: a bounded queue of labels and the task that posts them in batches.

Each label is the generator's truth for the transaction (never the model's
answer), due ``delay_s`` (jittered ±20%) after the prediction, and belongs to
the model that made the prediction: it goes to that model's
``POST /api/v1/models/{model}/feedback`` even after the traffic has moved to
another model. When the queue is full the label due soonest (the oldest) is
dropped and counted. On shutdown, :meth:`LabelSender.flush` sends everything
still queued, due or not, until its deadline.

A batch the backend did not take for a reason that can pass (unreachable,
5xx, 429, 401/403 while the key is wrong) goes back into the queue; a 429
pauses posting for at least its ``Retry-After``. Re-sending is harmless (a
label the backend already holds comes back ``unchanged``), so a post cut off
by a timeout or by shutdown is sent again. Every queued label ends up counted
once: sent (the backend answered that it holds it), rejected (it refused the
id), dropped (never reached the backend) or unconfirmed (posted, but the
answer never came: the backend may hold it or not).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import time
from collections.abc import Iterator
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
#: Failures before the request left this machine: the backend cannot have stored the batch.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def feedback_path(model: str) -> str:
    return f"/api/v1/models/{model}/feedback"


@dataclass(order=True)
class PendingLabel:
    due: float
    seq: int
    model: str = field(compare=False)
    prediction_id: str = field(compare=False)
    label: bool = field(compare=False)
    #: A post of it went out and no answer came back: the backend may hold it already.
    posted: bool = field(default=False, compare=False)


def by_model(batch: list[PendingLabel]) -> Iterator[tuple[str, list[PendingLabel]]]:
    """``batch`` split by model, each group in its order (soonest first)."""
    groups: dict[str, list[PendingLabel]] = {}
    for item in batch:
        groups.setdefault(item.model, []).append(item)
    yield from groups.items()


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

    def add(self, model: str, prediction_id: str, label: bool, delay_s: float) -> None:
        due = time.monotonic() + delay_s * self.rng.uniform(1 - JITTER, 1 + JITTER)
        self.stats.totals.labels_queued += 1
        self.push([PendingLabel(due, next(self._seq), model, prediction_id, label)])

    def push(self, items: list[PendingLabel]) -> None:
        """Queue ``items`` (new ones, or a batch to retry), dropping the oldest beyond ``maxlen``."""
        for item in items:
            heapq.heappush(self._heap, item)
        overflow = len(self._heap) - self.maxlen
        if overflow > 0:
            self.discard([heapq.heappop(self._heap) for _ in range(overflow)])
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

    def discard(self, items: list[PendingLabel]) -> None:
        """Give up on ``items``: unconfirmed when a post of them went out, else dropped."""
        posted = sum(item.posted for item in items)
        self.stats.totals.labels_unconfirmed += posted
        self.stats.totals.labels_dropped += len(items) - posted


class LabelSender:
    """Posts due labels to their model's feedback route in batches, backing off while the backend fails."""

    def __init__(self, client: httpx.AsyncClient, queue: LabelQueue, stats: Stats) -> None:
        self.client, self.queue, self.stats = client, queue, stats
        self.backoff = Backoff("posting labels to /api/v1/models/{model}/feedback")
        self._refusal_logged = False

    async def run(self, stop: asyncio.Event) -> None:
        """Send labels as they fall due until ``stop`` is set; a post in flight is finished first."""
        while not await pause(stop, self.backoff.remaining() or SEND_INTERVAL_S):
            for _ in range(BATCHES_PER_SEND):
                batch = self.queue.pop(BATCH_MAX, due_by=time.monotonic())
                if not batch or not await self.send(batch) or stop.is_set():
                    break

    async def flush(self, timeout_s: float) -> None:
        """Send every queued label, due or not, for at most ``timeout_s``; count the rest as given up."""
        deadline = time.monotonic() + timeout_s
        while len(self.queue) and time.monotonic() < deadline:
            await asyncio.sleep(min(self.backoff.remaining(), max(0.0, deadline - time.monotonic())))
            batch = self.queue.pop(BATCH_MAX)
            # A post cut off at the deadline puts its labels back, marked posted.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.send(batch), max(0.01, deadline - time.monotonic()))
        if len(self.queue):
            left = self.queue.pop(len(self.queue))
            self.queue.discard(left)
            posted = sum(item.posted for item in left)
            log.warning(
                "shutdown: %d label(s) not confirmed within %.1f s: %d posted without an answer (the backend "
                "may hold them), %d dropped",
                len(left),
                timeout_s,
                posted,
                len(left) - posted,
            )

    async def send(self, batch: list[PendingLabel]) -> bool:
        """Post ``batch``, one request per model; False when labels went back into the queue to retry."""
        groups = [items for _, items in by_model(batch)]
        for i, items in enumerate(groups):
            try:
                answered = await self.post(items)
            except asyncio.CancelledError:
                self.queue.push([item for rest in groups[i + 1 :] for item in rest])
                raise
            if not answered:
                self.queue.push([item for rest in groups[i + 1 :] for item in rest])
                return False
        return True

    async def post(self, batch: list[PendingLabel]) -> bool:
        """Post one batch of one model's labels; True when the backend answered it (stored or refused),
        False when it went back into the queue."""
        path = feedback_path(batch[0].model)
        body = {"items": [{"prediction_id": i.prediction_id, "label": i.label} for i in batch]}
        try:
            response = await self.client.post(path, json=body)
        except asyncio.CancelledError:  # shutdown cut it off: the backend may have it, send it again
            self._unanswered(batch)
            raise
        except NOT_SENT as exc:
            return self._retry(batch, f"{type(exc).__name__}: {exc}, request {request_id(exc)}")
        except httpx.TransportError as exc:
            self._unanswered(batch)
            self.backoff.failure(f"{type(exc).__name__}: {exc}, request {request_id(exc)}")
            return False
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
                log.error(refused_message(f"POST {path}", response, "predict"))
            return self._retry(batch, f"HTTP {status}", quiet=True)
        if status >= 500:
            return self._retry(batch, f"HTTP {status}, request {request_id(response)}")
        self.backoff.success()
        self._refusal_logged = False
        if status == 200:
            self.stats.totals.labels_sent += len(batch)
            return True
        return self._refused(batch, response)

    def _unanswered(self, batch: list[PendingLabel]) -> None:
        """The post went out and no answer came back: queue the batch again, marked posted."""
        for item in batch:
            item.posted = True
        self.queue.push(batch)

    def _retry(self, batch: list[PendingLabel], reason: str, quiet: bool = False) -> bool:
        self.queue.push(batch)
        self.backoff.failure(reason, quiet=quiet)
        return False

    def _refused(self, batch: list[PendingLabel], response: httpx.Response) -> bool:
        """404/409 name the offending ids: drop those and retry the rest; anything else drops the batch."""
        try:
            bad = set(response.json().get("prediction_ids") or ())
        except (ValueError, AttributeError):
            bad = set()
        keep = [i for i in batch if i.prediction_id not in bad] if bad else []
        self.stats.totals.labels_rejected += len(batch) - len(keep)
        log.warning(
            "backend refused %d label(s) of model %r (HTTP %d: %s; request %s)",
            len(batch) - len(keep),
            batch[0].model,
            response.status_code,
            response.text[:200],
            request_id(response),
        )
        self.queue.push(keep)
        return True
