"""Shadow scoring off the request path: a challenger scores what the champion answered, after the answer.

A request hands its validated rows and the ids of the answered predictions to
``ShadowScorer.submit`` (an append to a bounded queue) and returns. One thread
takes everything queued every ``interval_s`` (100 ms; sooner past ``BATCH_ROWS``
rows), scores it per version in one model call each, and
offers the rows to the prediction writer as shadow rows (``shadow_of`` = the
answered prediction, same ``created_at``), so the worker compares both versions
on the same requests.

Shadow rows are the first to go: when the queue holds ``max_rows`` rows, or the
writer's queue is past half full (``PredictionWriter.offer``), they are
dropped and counted (``driftwatch_shadow_dropped_total``, ``dropped``); an
answered prediction is never refused or delayed for a shadow.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.core.metrics import Metrics
from app.services.prediction_writer import PredictionWriter
from app.serving.versions import LoadedVersion

log = logging.getLogger(__name__)
#: Rows that wake the scorer before its interval is up.
BATCH_ROWS = 256


@dataclass(frozen=True)
class ShadowJob:
    served: LoadedVersion
    rows: Sequence[dict]
    answered: Sequence[uuid.UUID]
    created_at: datetime


class ShadowScorer:
    def __init__(
        self, writer: PredictionWriter, metrics: Metrics, max_rows: int = 10_000, interval_s: float = 0.1
    ) -> None:
        self._writer = writer
        self._interval_s = interval_s
        self._metrics = metrics
        self._max_rows = max_rows
        self._queue: deque[ShadowJob] = deque()
        self._queued_rows = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._busy = False
        self.scored = 0
        self.dropped = 0

    @property
    def pending(self) -> int:
        return self._queued_rows

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="shadow-scorer", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def submit(self, job: ShadowJob) -> bool:
        """Queue one request's rows for shadow scoring; False (dropped, counted) when full."""
        n = len(job.rows)
        with self._cond:
            if self._stopping or self._queued_rows + n > self._max_rows:
                self._drop(job.served.name, n)
                return False
            first = not self._queue
            self._queue.append(job)
            self._queued_rows += n
            if first or self._queued_rows >= BATCH_ROWS:  # the scorer then waits out its interval
                self._cond.notify()
        return True

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Block until everything queued so far is scored and offered (tests, shutdown)."""
        with self._cond:
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout=timeout_s)

    def _drop(self, model: str, n: int) -> None:
        self.dropped += n
        self._metrics.shadow_dropped.labels(model).inc(n)

    def _take(self) -> list[ShadowJob]:
        """Everything queued, at most every ``interval_s`` (sooner past ``BATCH_ROWS`` rows): one
        wake-up and one model call per version for many requests, not one per request."""
        with self._cond:
            while not self._queue and not self._stopping:
                self._cond.wait()
            if self._queued_rows < BATCH_ROWS and not self._stopping:
                self._cond.wait(self._interval_s)
            jobs = list(self._queue)
            self._queue.clear()
            self._queued_rows = 0
            self._busy = bool(jobs)
            return jobs

    def _run(self) -> None:
        while True:
            jobs = self._take()
            if not jobs:
                if self._stopping:
                    return
                continue
            try:
                by_version: dict[str, list[ShadowJob]] = {}
                for job in jobs:
                    by_version.setdefault(job.served.version, []).append(job)
                for group in by_version.values():
                    self._score(group)
            except Exception:
                log.exception("shadow scoring failed; %d rows dropped", sum(len(j.rows) for j in jobs))
                self._drop(jobs[0].served.name, sum(len(j.rows) for j in jobs))
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _score(self, jobs: list[ShadowJob]) -> None:
        served = jobs[0].served
        rows = [row for job in jobs for row in job.rows]
        started = time.perf_counter()
        probabilities = served.score(rows)
        latency_ms = round((time.perf_counter() - started) * 1000 / max(1, len(jobs)), 3)
        out, i = [], 0
        for job in jobs:
            for answered in job.answered:
                p = float(probabilities[i])
                out.append(
                    {
                        "id": uuid.uuid4(),
                        "created_at": job.created_at,
                        "model_name": served.name,
                        "model_version": served.version,
                        "features": rows[i],
                        "probability": p,
                        "is_fraud": p >= served.threshold,
                        "threshold": served.threshold,
                        "latency_ms": latency_ms,
                        "shadow_of": answered,
                    }
                )
                i += 1
        if self._writer.offer(out):
            self.scored += len(out)
            self._metrics.shadow_scored.labels(served.name, served.version).inc(len(out))
        else:
            self._drop(served.name, len(out))
