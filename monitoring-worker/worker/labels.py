"""Labelled predictions of the label window, read incrementally: each cycle reads only new labels.

Re-reading every labelled prediction of a 30-minute window each 30 s costs time
in proportion to traffic. The worker keeps, per scope (model and version), the
labelled rows it has read (score, decision, label, created and received times)
and each cycle reads only labels received since the newest it has seen, less
``OVERLAP`` (5 s: the backend stamps ``received_at`` just before it inserts and
commits, so a label committed after a later-stamped one was read is still found;
a row read twice is kept once, by its prediction's id). Rows made before
the label window's start are dropped, and a version not read for an hour is
forgotten. When the window's start moves back or the clock does (another
window, a test), the cache starts again from a full read.

Labels only ever name answered predictions; a shadow row takes the label of the
prediction it shadows. Joining new labels to their predictions by primary key
is one index probe per label; joining them to shadow rows has no index to use,
so when the version has shadow rows in the window (``n_shadow`` of the slot
summaries) new labels are joined by ``coalesce(shadow_of, id)`` as the full
read does. The cycle uses the cache only when the slot summaries cover the
label window (they count its predictions and shadow rows); otherwise it reads
every labelled row as before (``worker.window.load_labelled``).

The realized metrics are computed as the full read samples them: on the labelled
rows of a uniform sample of ``max_rows`` of the window's predictions (the
coverage's prediction count scaled alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select, true

from driftwatch_core.db.models import GroundTruth, Prediction
from worker.window import Labelled, Scope, labelled_id, read_frame

OVERLAP = timedelta(seconds=5)
IDLE = timedelta(hours=1)  # a version no cycle has read for this long leaves the cache
SAMPLE_SEED = 30


def _ns(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column, utc=True, format="ISO8601").to_numpy(dtype="datetime64[ns]").astype(np.int64)


_HEX = np.zeros(256, dtype=np.uint64)
_HEX[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16, dtype=np.uint64)
_HEX[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16, dtype=np.uint64)
_NIBBLE = (np.uint64(16) ** np.arange(15, -1, -1, dtype=np.uint64)).astype(np.uint64)


def _keys(ids: pd.Series) -> np.ndarray:
    """The prediction ids as int64: their last 16 hex digits (random in a UUIDv4 and a UUIDv7),
    read from the text form without a Python step per id."""
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    values = ids.to_numpy()
    text = values if isinstance(values[0], str) else np.array([str(v) for v in values])
    chars = np.frombuffer(np.asarray(text, dtype="S36").tobytes(), dtype=np.uint8).reshape(-1, 36)
    digits = _HEX[np.concatenate([chars[:, 19:23], chars[:, 24:36]], axis=1)]
    return (digits * _NIBBLE).sum(axis=1, dtype=np.uint64).view(np.int64)


def _stamp(moment: datetime) -> int:
    return int(pd.Timestamp(moment).value)


@dataclass
class _Rows:
    start: datetime  # every labelled row made since this is held
    end: datetime  # the newest cycle's end
    received: datetime  # the newest label read (the watermark)
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # key, p, d, y, created, received

    def add(self, frame: pd.DataFrame, since: datetime | None = None) -> None:
        """Add rows read; ``since``: they were labels received after it, so only cached rows
        received after it can be the same rows again."""
        new = {
            "key": _keys(frame["id"]),
            "p": frame["p"].to_numpy(dtype=float),
            "d": frame["d"].to_numpy(dtype=bool),
            "y": frame["y"].to_numpy(dtype=bool),
            "created": _ns(frame["created"]),
            "received": _ns(frame["received"]),
        }
        if self.columns:
            recent = self.columns["key"][self.columns["received"] > _stamp(since)] if since else self.columns["key"]
            fresh = ~np.isin(new["key"], recent)
            new = {k: np.concatenate([self.columns[k], v[fresh]]) for k, v in new.items()}
        self.columns = new

    def evict(self, start: datetime) -> None:
        if not self.columns:
            return
        keep = self.columns["created"] >= _stamp(start)
        self.columns = {k: v[keep] for k, v in self.columns.items()}
        self.start = start


def _new_labels(where: list, since: datetime):
    """Labels received after ``since`` and their predictions, one primary-key probe per label.

    Joined plainly, PostgreSQL hashes every prediction of the window (a sequential
    scan that grows with traffic) whenever it guesses that cheaper than probing
    the key per label; a LATERAL subquery behind ``OFFSET 0`` cannot be flattened
    into that join, so it is probed once per new label."""
    prediction = (
        select(Prediction.id, Prediction.probability, Prediction.is_fraud, Prediction.created_at)
        .where(Prediction.id == GroundTruth.prediction_id, *where)
        .offset(0)
        .lateral()
    )
    return (
        select(
            prediction.c.id.label("id"),
            prediction.c.probability.label("p"),
            prediction.c.is_fraud.label("d"),
            GroundTruth.label.label("y"),
            prediction.c.created_at.label("created"),
            GroundTruth.received_at.label("received"),
        )
        .select_from(GroundTruth)
        .join(prediction, true())
        .where(GroundTruth.received_at > since)
    )


class LabelCache:
    """Per process: each scope's labelled rows of the label window (see the module)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], _Rows] = {}

    def _read(self, conn: Connection, scope: Scope, start: datetime, since: datetime | None, shadows: bool):
        """The scope's labelled predictions made since ``start`` (with a label received after
        ``since``, when given)."""
        where = [*scope.where(), Prediction.created_at >= start]
        if since is not None and not shadows and conn.dialect.name == "postgresql":
            return read_frame(conn, _new_labels(where, since))
        joined = labelled_id() if shadows else Prediction.id
        stmt = select(
            Prediction.id.label("id"),
            Prediction.probability.label("p"),
            Prediction.is_fraud.label("d"),
            GroundTruth.label.label("y"),
            Prediction.created_at.label("created"),
            GroundTruth.received_at.label("received"),
        ).join(GroundTruth, GroundTruth.prediction_id == joined)
        if since is not None:
            where.append(GroundTruth.received_at > since)
        return read_frame(conn, stmt.where(*where))

    def load(
        self,
        conn: Connection,
        scope: Scope,
        start: datetime,
        end: datetime,
        n_predictions: int,
        shadows: bool = True,
        max_rows: int | None = None,
    ) -> Labelled:
        """The scope's predictions of [start, end) that have a label; ``n_predictions``: how many
        predictions [start, end) holds; ``shadows``: whether some of them may be shadow rows."""
        key = (scope.model, scope.version)
        rows = self._rows.get(key)
        since = None
        if rows is None or start < rows.start or end < rows.end:
            frame = self._read(conn, scope, start, None, shadows)
            rows = _Rows(start, end, start)
        else:
            since = rows.received - OVERLAP
            frame = self._read(conn, scope, start, since, shadows)
            rows.evict(start)
        rows.end = end
        if len(frame) or not rows.columns:
            rows.add(frame, since)
        if len(frame):
            newest = pd.Timestamp(int(rows.columns["received"].max()), tz="UTC").to_pydatetime()
            rows.received = max(rows.received, newest)
        self._rows[key] = rows
        for other in [k for k, r in self._rows.items() if r.end < end - IDLE]:
            del self._rows[other]  # a version no longer judged
        return self._labelled(rows, end, n_predictions, max_rows)

    @staticmethod
    def _labelled(rows: _Rows, end: datetime, n_predictions: int, max_rows: int | None) -> Labelled:
        c = rows.columns
        index = np.flatnonzero(c["created"] < _stamp(end))
        # as the full read samples: max_rows of the predictions, so that share of the labelled ones
        share = min(1.0, max_rows / n_predictions) if max_rows and n_predictions else 1.0
        if share < 1.0:
            keep = round(len(index) * share)
            index = np.sort(np.random.default_rng(SAMPLE_SEED).choice(index, keep, replace=False))
        return Labelled(
            scores=c["p"][index],
            decisions=c["d"][index],
            labels=c["y"][index],
            lags_s=(c["received"][index] - c["created"][index]) / 1e9,
            n_predictions=n_predictions * share,
        )
