"""Adaptive batching: concurrent single-row requests of one process share one model call.

A model call has a fixed cost that dwarfs its cost per row (XGBoost: about
160 µs for one row, 16 µs per row in a batch of 16), so scoring the rows of
requests that arrive together in one call is most of what Triton's dynamic
batcher, BentoML's adaptive batching and Ray Serve's ``@serve.batch`` do.
Here, on the event loop, without threads:

- a request puts its row in its version's queue and awaits its score;
- the queue is scored one event-loop turn later, so every request the loop
  read in the same turn joins it; while more keep arriving the batch waits one
  more turn, never past ``max_wait_s`` after its first row;
- a full batch (``max_rows``) is scored at once.

A request alone is therefore never held for more than one loop turn, and no
request ever waits longer than ``max_wait_s`` for company. Rows of different
versions (a canary and its champion) are different queues. An error in the
model call is every request of that batch's error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.serving.versions import LoadedVersion


@dataclass
class _Queue:
    served: LoadedVersion
    rows: list[dict] = field(default_factory=list)
    waiting: list[asyncio.Future[float]] = field(default_factory=list)
    deadline: float = 0.0
    seen: int = 0  # rows at the last turn: did the batch grow since?


class Batcher:
    def __init__(
        self, max_rows: int = 64, max_wait_s: float = 0.002, on_batch: Callable[[int], object] | None = None
    ) -> None:
        self.max_rows = max_rows
        self.max_wait_s = max_wait_s
        self._on_batch = on_batch  # told each batch's size (the metrics' histogram)
        self._queues: dict[int, _Queue] = {}
        #: Batches scored and rows in them.
        self.batches = 0
        self.rows = 0

    async def score(self, served: LoadedVersion, row: dict) -> float:
        """The probability ``served`` gives ``row``, scored with whatever rows join it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[float] = loop.create_future()
        key = id(served)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue(served, deadline=time.perf_counter() + self.max_wait_s, seen=1)
            loop.call_soon(self._turn, key)
        queue.rows.append(row)
        queue.waiting.append(future)
        if len(queue.rows) >= self.max_rows:
            self._flush(key)
        return await future

    def _turn(self, key: int) -> None:
        queue = self._queues.get(key)
        if queue is None:  # flushed when it filled up
            return
        if len(queue.rows) > queue.seen and time.perf_counter() < queue.deadline:
            queue.seen = len(queue.rows)  # still growing: one more turn
            asyncio.get_running_loop().call_soon(self._turn, key)
            return
        self._flush(key)

    def _flush(self, key: int) -> None:
        queue = self._queues.pop(key)
        self.batches += 1
        self.rows += len(queue.rows)
        if self._on_batch is not None:
            self._on_batch(len(queue.rows))
        try:
            scores = queue.served.score(queue.rows)
        except Exception as exc:  # noqa: BLE001 - each request of the batch answers it
            for future in queue.waiting:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, score in zip(queue.waiting, scores, strict=True):
            if not future.done():  # a request cancelled (client gone) needs no answer
                future.set_result(float(score))
