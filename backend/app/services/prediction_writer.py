"""Stores predictions off the request path, in batches, without losing any.

Requests append rows to a bounded in-memory queue and return; one thread
inserts them in batches (up to ``batch_size`` rows, at least every
``interval_s``). When the database is unreachable the rows stay queued and
the thread retries with back-off; when the queue is full, new predictions are
refused (HTTP 503) rather than dropped. On shutdown the queue is flushed.

Guarantee: a prediction acknowledged to the client is in the database within
about ``interval_s`` while the database is up. A process killed with SIGKILL
loses at most the rows queued in that interval; SIGTERM loses none.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import Busy
from driftwatch_core.db.models import Prediction

log = logging.getLogger(__name__)


class QueueFull(Busy):
    """Too many predictions wait to be stored: this one is refused, not dropped."""


class PredictionWriter:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        batch_size: int = 500,
        interval_s: float = 0.1,
        max_queue: int = 100_000,
        on_written=None,
    ) -> None:
        self._factory = session_factory
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._max_queue = max_queue
        self._on_written = on_written
        self._queue: deque[dict] = deque()
        self._cond = threading.Condition()
        self._submitted = 0
        self._written = 0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def pending(self) -> int:
        """Predictions accepted but not yet committed (queued or being inserted)."""
        return self._submitted - self._written

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="prediction-writer", daemon=True)
        self._thread.start()

    def submit(self, rows: list[dict]) -> None:
        with self._cond:
            if len(self._queue) + len(rows) > self._max_queue:
                raise QueueFull(f"{len(self._queue)} predictions are waiting to be stored")
            self._queue.extend(rows)
            self._submitted += len(rows)
            if len(self._queue) >= self._batch_size:
                self._cond.notify()

    def offer(self, rows: list[dict], share: float = 0.5) -> bool:
        """Queue ``rows`` only while the queue is below ``share`` of its bound; False (nothing
        queued) otherwise. Shadow rows come this way, so they never take the room answered
        predictions need."""
        with self._cond:
            if len(self._queue) + len(rows) > self._max_queue * share:
                return False
            self._queue.extend(rows)
            self._submitted += len(rows)
            if len(self._queue) >= self._batch_size:
                self._cond.notify()
            return True

    def wait_written(self, timeout_s: float = 5.0) -> bool:
        """Block until everything submitted before this call is stored."""
        with self._cond:
            target = self._submitted
            self._cond.notify()
            return self._cond.wait_for(lambda: self._written >= target, timeout=timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self._queue:
            log.error("shutdown with %d predictions not stored", len(self._queue))

    def _take(self) -> list[dict]:
        with self._cond:
            if not self._queue and not self._stopping:
                self._cond.wait(self._interval_s)
            n = min(self._batch_size, len(self._queue))
            return [self._queue.popleft() for _ in range(n)]

    def _put_back(self, rows: list[dict]) -> None:
        with self._cond:
            self._queue.extendleft(reversed(rows))

    def _run(self) -> None:
        backoff = self._interval_s
        while True:
            rows = self._take()
            if not rows:
                if self._stopping:
                    return
                continue
            try:
                with self._factory.begin() as session:
                    session.execute(insert(Prediction), rows)
            except Exception as exc:  # noqa: BLE001 - keep the rows, retry later
                self._put_back(rows)
                self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                log.warning("storing %d predictions failed (%s); retry in %.1f s", len(rows), self.last_error, backoff)
                if self._stopping and backoff > 2:
                    return
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = self._interval_s
            self.last_error = None
            with self._cond:
                self._written += len(rows)
                self._cond.notify_all()
            if self._on_written:
                self._on_written(len(rows))
