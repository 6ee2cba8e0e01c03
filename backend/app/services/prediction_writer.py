"""Stores predictions off the request path, in batches, without losing any.

Requests append rows to a bounded in-memory queue and return; one thread
stores them in batches (up to ``batch_size`` rows, at least every
``interval_s``): with PostgreSQL's ``COPY ... FROM STDIN`` (one stream per
batch, about 2.5x the rows per second of a multi-row INSERT), on SQLite with
one ``executemany``. About once a second (``summary_interval_s``), in the
transaction of a batch, it also writes its process's per-slot summaries of
every row stored since the last time (``driftwatch_core.summaries``: what the
monitoring worker merges instead of reading rows back), so a summary never
counts a row the database does not hold. A slot's summary is a ~100 kB
cumulative rewrite at high rates: once a second keeps that to one upsert per
second and process rather than one per batch. Rows are in a summary at most
about a second after they are stored; on SIGTERM every stored row is; a process
killed with SIGKILL may leave its last second of stored rows out of the
summaries (never out of the table). When the database is unreachable the rows stay queued and
the thread retries with back-off; when the queue is full, new predictions are
refused (HTTP 503) rather than dropped. On shutdown the queue is flushed.

Guarantee: a prediction acknowledged to the client is in the database within
about ``interval_s`` while the database is up. A process killed with SIGKILL
loses at most the rows queued in that interval; SIGTERM loses none.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic_core import to_json
from sqlalchemy import Connection, Engine, insert

from app.core.errors import Busy
from driftwatch_core.db.models import Prediction

log = logging.getLogger(__name__)


class QueueFull(Busy):
    """Too many predictions wait to be stored: this one is refused, not dropped."""


#: The columns of a stored prediction, in the order ``COPY`` receives them.
COLUMNS = (
    "id",
    "created_at",
    "model_name",
    "model_version",
    "features",
    "probability",
    "is_fraud",
    "threshold",
    "latency_ms",
    "shadow_of",
)
_COPY = f"COPY {Prediction.__tablename__} ({', '.join(COLUMNS)}) FROM STDIN"


_TAB, _BACKSLASH, _NULL = "\t", "\\", "\\N"


def _copy_line(row: dict) -> str:
    """One row in COPY's text format. JSON escapes every tab and newline inside its strings,
    so the only character COPY would read specially is the backslash, which is doubled.
    ``pydantic_core.to_json`` writes the features six times faster than ``json.dumps``."""
    shadow = row.get("shadow_of")
    return (
        _TAB.join(
            (
                str(row["id"]),
                row["created_at"].isoformat(),
                row["model_name"],
                row["model_version"],
                to_json(row["features"]).decode().replace(_BACKSLASH, _BACKSLASH * 2),
                repr(float(row["probability"])),
                "t" if row["is_fraud"] else "f",
                repr(float(row["threshold"])),
                repr(float(row["latency_ms"])),
                str(shadow) if shadow is not None else _NULL,
            )
        )
        + "\n"
    )


def store_rows(conn: Connection, rows: Sequence[dict]) -> None:
    """Insert prediction rows in ``conn``'s transaction: ``COPY`` on PostgreSQL (psycopg2),
    an ``executemany`` INSERT elsewhere."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            cur.copy_expert(_COPY, io.StringIO("".join(map(_copy_line, rows))))
    else:
        conn.execute(insert(Prediction), list(rows))


class Summaries(Protocol):
    """What the writer needs of ``driftwatch_core.summaries.SlotSummarizer``."""

    def prepare(self, rows: list[dict]) -> Any: ...
    def write(self, conn: Connection, pending: Any) -> None: ...
    def commit(self, pending: Any) -> None: ...
    def close(self) -> None: ...


class PredictionWriter:
    def __init__(
        self,
        engine: Engine,
        batch_size: int = 500,
        interval_s: float = 0.1,
        max_queue: int = 100_000,
        on_written=None,
        summaries: Summaries | None = None,
        summary_interval_s: float = 1.0,
    ) -> None:
        self._engine = engine
        self._summaries = summaries
        self._summary_interval_s = summary_interval_s
        self._unsummarized: list[dict] = []  # stored, not yet in a written summary
        self._summarized_at = time.monotonic()
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
        self._conn: Connection | None = None  # the writer thread's own
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
        if self._summaries is not None and (self._thread is None or not self._thread.is_alive()):
            self._summaries.close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _take(self) -> list[dict]:
        with self._cond:
            if not self._queue and not self._stopping:
                self._cond.wait(self._interval_s)
            n = min(self._batch_size, len(self._queue))
            return [self._queue.popleft() for _ in range(n)]

    def _put_back(self, rows: list[dict]) -> None:
        with self._cond:
            self._queue.extendleft(reversed(rows))

    def _summaries_due(self, force: bool) -> bool:
        if self._summaries is None:
            return False
        return force or time.monotonic() - self._summarized_at >= self._summary_interval_s

    def _store(self, rows: list[dict], force_summaries: bool = False) -> None:
        """One transaction on the writer's own connection: the rows, then (when due) the summaries
        of every row stored since the last ones were written.

        The connection is kept between batches (taking one from the pool costs a
        ``SELECT 1`` round trip per batch, ``pool_pre_ping``) and dropped on any error."""
        due = self._summaries_due(force_summaries) and bool(self._unsummarized or rows)
        pending = self._summarize(self._unsummarized + rows) if due else None
        if not rows and pending is None:
            return
        if self._conn is None:
            self._conn = self._engine.connect()
        try:
            with self._conn.begin():
                if rows:
                    store_rows(self._conn, rows)
                if self._summaries is not None and pending is not None:
                    self._summaries.write(self._conn, pending)
        except Exception:
            conn, self._conn = self._conn, None
            conn.invalidate()  # a broken link is not given back to the pool
            conn.close()
            raise
        if due:  # summarized (or, when summarizing failed, logged and given up)
            if self._summaries is not None and pending is not None:
                self._summaries.commit(pending)
            self._unsummarized, self._summarized_at = [], time.monotonic()
        else:
            self._unsummarized.extend(rows)

    def _summarize(self, rows: list[dict]) -> Any:
        """The batch's summaries, or None when summarizing fails: a bug there must never keep
        predictions from being stored (the error is logged; that slot's summary misses the batch)."""
        if self._summaries is None:
            return None
        try:
            return self._summaries.prepare(rows)
        except Exception:
            log.exception("summarizing %d predictions failed; they are stored without a summary", len(rows))
            return None

    def _run(self) -> None:
        backoff = self._interval_s
        while True:
            rows = self._take()
            if not rows:
                try:  # quiet: the rows stored since the last summaries still get theirs
                    self._store([], force_summaries=self._stopping)
                except Exception as exc:  # noqa: BLE001 - kept for the next try
                    log.warning("writing summaries failed (%s); they are retried", type(exc).__name__)
                if self._stopping:
                    self._close()
                    return
                continue
            try:
                self._store(rows, force_summaries=self._stopping)
            except Exception as exc:  # noqa: BLE001 - keep the rows, retry later
                self._put_back(rows)
                self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                log.warning("storing %d predictions failed (%s); retry in %.1f s", len(rows), self.last_error, backoff)
                if self._stopping and backoff > 2:
                    self._close()
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
