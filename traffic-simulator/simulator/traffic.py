"""Paced prediction traffic: request k goes out at ``start + k / rps``, whatever the latency.

Requests go to ``POST /api/v1/models/{model}/predict`` for the model the control
row names (``Control.model``), and follow it when it changes; each answered
prediction's label is queued for the model that answered it.

Concurrency is bounded by a semaphore. When the simulator falls more than
``MAX_LAG_S`` (or ``MAX_CATCH_UP`` sends) behind its schedule (slow backend,
all slots busy) it skips the missed sends (counted) instead of bursting to
catch up, so no one-second window holds more than ``rps + MAX_CATCH_UP``
requests: at the top rate, 250 a second, inside the backend's per-key limit
(``RATE_LIMIT_PER_KEY``, 300/second by default). While the
backend fails, traffic pauses under exponential back-off; a 429 pauses it
for at least its ``Retry-After``; a 401/403 (no key, a wrong key) logs what
``SIM_API_KEY`` must be, once, and backs off; so do a 404 (the model is not
registered yet, or was deleted: the stack may start before the demo model is
registered) and a 422 (the model's features are not the generator's card
transactions), each explained once per model. The failed transactions are not
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
from simulator.client import detail, refused_message, request_id, retry_after_s
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
#: The error a prediction request in flight at shutdown is counted under: the backend may hold it.
CANCELLED = "cancelled at shutdown"


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


def predict_path(model: str) -> str:
    return f"/api/v1/models/{model}/predict"


class Traffic:
    """Sends paced predictions to the model the control row names and queues the labels of the answered ones."""

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
        self.backoff = Backoff("sending predictions to /api/v1/models/{model}/predict")
        self.model: str | None = None  # the model the traffic goes to now
        self._sent = 0
        self._explained: tuple[int, str] | None = None  # the refusal logged, until a success or another model
        self._tasks: set[asyncio.Task] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Send on schedule until ``stop`` is set; in-flight requests are left to :meth:`drain`."""
        slots = asyncio.Semaphore(self.control.settings.concurrency)
        rps, start, k = self.control.rps, time.monotonic(), 0
        while not stop.is_set():
            if self.control.model != self.model:
                self._follow(self.control.model)
            if self.model is None or self.backoff.remaining():
                # No model named yet (SIM_MODEL empty, the backend not read yet), or backing off.
                await pause(stop, self.backoff.remaining() or MAX_SLEEP_S)
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
            task = asyncio.create_task(self._send(self.model, row, label, slots, entity))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            k += 1

    async def drain(self, timeout_s: float) -> None:
        """Wait for in-flight requests (their labels get queued); cancel them after ``timeout_s``."""
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    def _follow(self, model: str | None) -> None:
        """Send to ``model`` from now on: a back-off or refusal of the previous model does not carry over."""
        self.model, self._explained = model, None
        self.backoff.reset()

    async def _send(self, model: str, row: dict, label: bool, slots: asyncio.Semaphore, entity: str) -> None:
        started = time.perf_counter()
        try:
            # The card the transaction is on: a canary answers the same card the same way every time.
            response = await self.client.post(predict_path(model), json=row, headers={ENTITY_HEADER: entity})
        except httpx.TransportError as exc:
            self._failed(started, f"{type(exc).__name__}: {exc}", request_id(exc), retry=True)
            return
        except asyncio.CancelledError:  # shutdown gave up on it: the backend may have stored it or not
            self.stats.request(time.perf_counter() - started, CANCELLED)
            raise
        finally:
            slots.release()
        if response.status_code != 200:
            self._refused(started, model, response)
            return
        try:
            answer = response.json()
            prediction_id, answered_by = str(answer["prediction_id"]), str(answer["model"])
        except (ValueError, KeyError, TypeError):
            self._failed(started, f"bad response: {response.text[:200]}", request_id(response), retry=False)
            return
        self.stats.request(time.perf_counter() - started)
        self.backoff.success()
        self._explained = None
        if self.rng.random() < self.control.settings.label_rate:
            delay = self.control.scenario.label_delay_s
            delay = self.control.settings.label_delay_s if delay is None else delay
            # The label belongs to the model that made the prediction, wherever the traffic goes next.
            self.labels.add(answered_by, prediction_id, label, delay)

    def _refused(self, started: float, model: str, response: httpx.Response) -> None:
        status, rid = response.status_code, request_id(response)
        if status == 429:
            self.stats.totals.rate_limited += 1
            self.stats.request(time.perf_counter() - started, "HTTP 429")
            wait = retry_after_s(response)
            if wait is None:
                self.backoff.failure(f"HTTP 429 without Retry-After, request {rid}")
            else:
                self.backoff.hold(wait, f"HTTP 429, request {rid}")
        elif status in (401, 403, 404, 422):
            self.stats.request(time.perf_counter() - started, f"HTTP {status}")
            if model != self.model:
                return  # an answer for the model the traffic has left: no reason to pause
            if self._explained != (status, model):
                self._explained = (status, model)
                log.error(self._explanation(model, response))
            self.backoff.failure(f"HTTP {status} for model {model!r}, request {rid}", quiet=True)
        else:
            self._failed(started, f"HTTP {status}: {response.text[:200]}", rid, retry=status >= 500)

    @staticmethod
    def _explanation(model: str, response: httpx.Response) -> str:
        """The one line that says why ``model`` takes no traffic and what happens meanwhile."""
        status, answer = response.status_code, f"HTTP {response.status_code}: {detail(response)}"
        if status == 404:
            return (
                f"model {model!r} is not registered: waiting for it ({answer}; request {request_id(response)}); "
                "traffic backs off and retries"
            )
        if status == 422:
            return (
                f"model {model!r} refuses the simulator's card transactions ({answer}; request "
                f"{request_id(response)}): its features are not the demo model's; traffic backs off and retries "
                "until it takes them or PUT /api/v1/simulator names another model"
            )
        return refused_message(f"POST {predict_path(model)}", response, "predict")

    def _failed(self, started: float, reason: str, rid: str, retry: bool) -> None:
        kind = reason.split(":")[0]
        if kind not in self.stats.totals.errors:
            log.warning("prediction request failed (request %s): %s", rid, reason)
        self.stats.request(time.perf_counter() - started, kind)
        if retry:
            self.backoff.failure(f"{kind}, request {rid}")
