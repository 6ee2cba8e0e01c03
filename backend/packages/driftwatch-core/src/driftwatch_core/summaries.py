"""Mergeable per-slot summaries of predictions, written as the predictions are written.

The monitoring worker judges a 5-minute window every 30 s. Reading every row of
the window back costs time in proportion to traffic; a summary per time slot,
merged at read time, does not. The backend's writer summarizes the rows it has
stored and upserts, **in the transaction of a batch of rows** (about once a second:
``app.services.prediction_writer``), one row of ``prediction_summaries`` per
(model, version, slot, writer): that writer's cumulative summary of the slot so
far. A row is only ever written by its own
writer (``writer_id``, one per process), so processes never conflict, and
rewriting it with the cumulative state makes a retried write harmless.

A slot is ``SLOT_SECONDS`` (10 s) of ``created_at`` (floored to a multiple of 10
s since the epoch): short enough that a window's edges are off by at most one
slot, long enough that a 5-minute window is 30 slots per writer.

What a slot summary holds (``SlotState``):

- ``n`` rows (shadow rows included: they count for their version, as in the
  worker's window), how many were decided fraud, how many were shadow rows;
- per numeric feature and the score: a KLL quantile sketch (Apache DataSketches'
  ``kll_doubles_sketch``, ``KLL_K`` = 400) and the count of nulls. KLL's rank
  error at k = 400 is about 0.68% of n (99% confidence, any one query), half of
  k = 200's 1.3%: the KS floor is 0.05 and PSI's decile bins hold 10% each, so
  a CDF off by well under 1% leaves KS and PSI verdicts as the rows give them;
  a serialized sketch is at most about 10 kB;
- per categorical or boolean feature: exact value counts keyed by
  ``str(value).lower()`` (as ``driftwatch_core.reference.category_counts``
  matches categories) and the count of nulls;
- a uniform reservoir of up to ``RESERVOIR_SIZE`` rows (every feature value, the
  score, the decision): a slot with no more rows than that keeps them all, so a
  window whose every slot is complete is judged exactly from its rows. Once a
  slot has more rows, its reservoir keeps only scores and decisions (estimated
  performance reads them; a sample's feature values would never be read, and
  they were half the bytes).

The bytes (``SlotState.to_bytes``) are ``MAGIC``, a 4-byte length, a JSON header,
then binary blobs (serialized sketches, little-endian numpy arrays) whose
lengths the header lists: no pickle anywhere.

The writer's use (``SlotSummarizer``)::

    summarizer = SlotSummarizer(writer_id, kinds_of)
    pending = summarizer.prepare(rows)  # outside the transaction: all the CPU work
    summarizer.write(conn, pending)     # inside the rows' transaction: one upsert
    summarizer.commit(pending)          # after the commit: pending becomes the state

Memory: only slots newer than ``KEEP_SECONDS`` (10 minutes, twice the worker's
window) before the newest slot seen are kept; rows older than that are not
summarized (no window the worker will judge holds them).
"""

from __future__ import annotations

import json
import math
import struct
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

import numpy as np
from datasketches import kll_doubles_sketch

SLOT_SECONDS = 10
KLL_K = 400
RESERVOIR_SIZE = 1024
KEEP_SECONDS = 600
MAGIC = b"DWS1"
SCORE = "score"  # the key of the score's sketch (each model names its score in its own schema)
KINDS = ("numeric", "categorical", "boolean")
SLOT = timedelta(seconds=SLOT_SECONDS)

Key = tuple[str, str, datetime]  # (model_name, model_version, slot_start)


def slot_start(moment: datetime) -> datetime:
    """The start of the slot ``moment`` falls in."""
    epoch = moment.timestamp()
    return datetime.fromtimestamp(epoch - epoch % SLOT_SECONDS, UTC)


def infer_kinds(features: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Feature kinds from values, for a version whose schema is unknown: bool -> boolean,
    int/float -> numeric, anything else -> categorical (the first non-null value decides)."""
    kinds: dict[str, str] = {}
    for doc in features:
        for name, value in doc.items():
            if name in kinds or value is None:
                continue
            if isinstance(value, bool):
                kinds[name] = "boolean"
            elif isinstance(value, int | float):
                kinds[name] = "numeric"
            else:
                kinds[name] = "categorical"
    return kinds


def _as_float(value: Any) -> float:
    try:
        return math.nan if value is None else float(value)
    except (TypeError, ValueError):
        return math.nan


def _as_label(value: Any) -> str | None:
    """A categorical value as the database's ``->>`` gives it (JSON true is ``true``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _floats(values: Sequence[Any]) -> np.ndarray:
    """Numbers as float64, nulls (and anything not a number) as NaN."""
    try:
        return np.array(values, dtype=float)  # None becomes NaN
    except (TypeError, ValueError):
        return np.array([_as_float(v) for v in values], dtype=float)


def _column(kind: str, values: Sequence[Any]) -> np.ndarray:
    """One feature's batch: numeric as float64 (NaN null), boolean as int8 (1, 0, -1 null),
    categorical as the raw values (object; labelled only where a reservoir keeps them)."""
    if kind == "numeric":
        return _floats(values)
    if kind == "boolean":
        flags = _floats([(v.lower() == "true") if isinstance(v, str) else v for v in values])
        return np.where(np.isnan(flags), -1, flags != 0).astype(np.int8)
    return np.array(values, dtype=object)


@dataclass
class Reservoir:
    """A uniform sample of up to ``RESERVOIR_SIZE`` rows of a slot (algorithm R, per batch)."""

    kinds: dict[str, str]
    seen: int = 0
    #: Features, then SCORE and "decision": numeric float64 (NaN null), boolean and decision
    #: int8 (-1 null), categorical int32 codes into ``labels`` (-1 null).
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.seen <= RESERVOIR_SIZE

    @property
    def size(self) -> int:
        return min(self.seen, RESERVOIR_SIZE)

    def add(self, batch: Mapping[str, np.ndarray], m: int, rng: np.random.Generator) -> None:
        if self.seen + m > RESERVOIR_SIZE:  # a sample from now on: its features would never be read
            batch = {k: v for k, v in batch.items() if k in (SCORE, "decision")}
            self.columns = {k: v for k, v in self.columns.items() if k in batch}
            self.labels.clear()
        index = np.arange(self.seen, self.seen + m)
        fill = index < RESERVOIR_SIZE
        slots = rng.integers(0, index + 1)  # row i replaces slot j < size with probability size / (i + 1)
        replace = ~fill & (slots < RESERVOIR_SIZE)
        rows_r, slots_r = np.flatnonzero(replace), slots[replace]
        if len(slots_r):  # a slot hit twice keeps the later row, as one row at a time would
            last = len(slots_r) - 1 - np.unique(slots_r[::-1], return_index=True)[1]
            rows_r, slots_r = rows_r[last], slots_r[last]
        for name, values in batch.items():
            if values.dtype == object:  # categorical: only the kept rows get a code
                values = self._codes(name, values, np.concatenate([np.flatnonzero(fill), rows_r]))
            current = self.columns.get(name)
            grown = values[fill] if current is None else np.concatenate([current, values[fill]])
            if len(rows_r):
                grown[slots_r] = values[rows_r]
            self.columns[name] = grown
        self.seen += m

    def _codes(self, name: str, values: np.ndarray, keep: np.ndarray) -> np.ndarray:
        labels = self.labels.setdefault(name, [])
        index = {label: i for i, label in enumerate(labels)}
        codes = np.full(len(values), -1, dtype=np.int32)
        for i, value in zip(keep.tolist(), values[keep].tolist(), strict=True):
            label = _as_label(value)
            if label is not None:
                if label not in index:
                    index[label] = len(labels)
                    labels.append(label)
                codes[i] = index[label]
        return codes

    def values(self, name: str) -> np.ndarray:
        """A column's kept values: categorical as labels (None null), boolean as bools (None null),
        numeric and the score as float64 (NaN null)."""
        column = self.columns[name]
        if name in self.labels:
            return np.array([*self.labels[name], None], dtype=object)[column]
        if column.dtype == np.int8 and name != "decision":
            return np.array([False, True, None], dtype=object)[column] if (column < 0).any() else column == 1
        return column


@dataclass
class SlotState:
    """One slot's summary (see the module): counts, sketches, category counts, reservoir."""

    kinds: dict[str, str]  # feature -> kind, schema order
    n: int = 0
    n_fraud: int = 0
    n_shadow: int = 0
    nulls: dict[str, int] = field(default_factory=dict)
    sketches: dict[str, kll_doubles_sketch] = field(default_factory=dict)  # numeric features and SCORE
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # categorical and boolean features
    reservoir: Reservoir | None = None

    def __post_init__(self) -> None:
        for name, kind in self.kinds.items():
            self.nulls.setdefault(name, 0)
            if kind == "numeric":
                self.sketches.setdefault(name, kll_doubles_sketch(KLL_K))
            else:
                self.counts.setdefault(name, {})
        self.sketches.setdefault(SCORE, kll_doubles_sketch(KLL_K))
        if self.reservoir is None:
            self.reservoir = Reservoir(dict(self.kinds))

    def add(
        self, columns: Mapping[str, np.ndarray], scores: np.ndarray, decisions: np.ndarray, n_shadow: int, rng
    ) -> None:
        """Add a batch: ``columns`` as ``_column`` makes them, one entry per feature of ``kinds``."""
        m = len(scores)
        self.n += m
        self.n_fraud += int(decisions.sum())
        self.n_shadow += n_shadow
        for name, kind in self.kinds.items():
            values = columns[name]
            if kind == "numeric":
                nulls = int(np.isnan(values).sum())
                self.sketches[name].update(values)  # NaN is skipped by the sketch
            elif kind == "boolean":
                nulls = int((values < 0).sum())
                counts = self.counts[name]
                for key, flag in (("true", 1), ("false", 0)):
                    hits = int((values == flag).sum())
                    if hits:
                        counts[key] = counts.get(key, 0) + hits
            else:
                tally = Counter(values.tolist())
                nulls = tally.pop(None, 0)
                counts = self.counts[name]
                for value, count in tally.items():
                    key = str(_as_label(value)).lower()
                    counts[key] = counts.get(key, 0) + count
            self.nulls[name] += nulls
        self.sketches[SCORE].update(scores)
        assert self.reservoir is not None
        self.reservoir.add({**columns, SCORE: scores, "decision": decisions.astype(np.int8)}, m, rng)

    # --- bytes ---------------------------------------------------------------

    def to_bytes(self) -> bytes:
        assert self.reservoir is not None
        blobs: list[bytes] = []

        def blob(data: bytes) -> int:
            blobs.append(data)
            return len(blobs) - 1

        features = []
        for name, kind in self.kinds.items():
            entry: dict[str, Any] = {"name": name, "kind": kind, "nulls": self.nulls[name]}
            if kind == "numeric":
                entry["sketch"] = blob(self.sketches[name].serialize())
            else:
                entry["counts"] = self.counts[name]
            features.append(entry)
        columns = []
        for name, values in self.reservoir.columns.items():
            dtype = {"f": "<f8", "i": "<i1"}[values.dtype.kind] if values.dtype != np.int32 else "<i4"
            column: dict[str, Any] = {"name": name, "dtype": dtype, "blob": blob(values.astype(dtype).tobytes())}
            if name in self.reservoir.labels:
                column["labels"] = self.reservoir.labels[name]
            columns.append(column)
        header = {
            "n": self.n,
            "n_fraud": self.n_fraud,
            "n_shadow": self.n_shadow,
            "features": features,
            "score": {"sketch": blob(self.sketches[SCORE].serialize())},
            "reservoir": {"seen": self.reservoir.seen, "columns": columns},
            "blobs": [len(b) for b in blobs],
        }
        head = json.dumps(header, separators=(",", ":")).encode()
        return b"".join([MAGIC, struct.pack("<I", len(head)), head, *blobs])

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotState:
        if data[:4] != MAGIC:
            raise ValueError("not a Driftwatch slot summary (bad magic bytes)")
        (length,) = struct.unpack("<I", data[4:8])
        header = json.loads(data[8 : 8 + length])
        offsets = np.concatenate([[8 + length], 8 + length + np.cumsum(header["blobs"])]).astype(int)

        def blob(i: int) -> bytes:
            return data[offsets[i] : offsets[i + 1]]

        kinds = {f["name"]: f["kind"] for f in header["features"]}
        sketches = {SCORE: kll_doubles_sketch.deserialize(blob(header["score"]["sketch"]))}
        counts, nulls = {}, {}
        for f in header["features"]:
            nulls[f["name"]] = int(f["nulls"])
            if f["kind"] == "numeric":
                sketches[f["name"]] = kll_doubles_sketch.deserialize(blob(f["sketch"]))
            else:
                counts[f["name"]] = {str(k): int(v) for k, v in f["counts"].items()}
        reservoir = Reservoir(dict(kinds), int(header["reservoir"]["seen"]))
        for column in header["reservoir"]["columns"]:
            dtype = {"<f8": np.float64, "<i1": np.int8, "<i4": np.int32}[column["dtype"]]
            reservoir.columns[column["name"]] = np.frombuffer(blob(column["blob"]), column["dtype"]).astype(dtype)
            if "labels" in column:
                reservoir.labels[column["name"]] = [str(label) for label in column["labels"]]
        return cls(
            kinds, int(header["n"]), int(header["n_fraud"]), int(header["n_shadow"]), nulls, sketches, counts, reservoir
        )


def merge(states: Sequence[SlotState]) -> SlotState:
    """Sketches, counts and totals of several slot summaries of the same features (no reservoir)."""
    merged = SlotState(dict(states[0].kinds))
    for state in states:
        merged.n += state.n
        merged.n_fraud += state.n_fraud
        merged.n_shadow += state.n_shadow
        for name, sketch in state.sketches.items():
            merged.sketches[name].merge(sketch)
        for name, counts in state.counts.items():
            into = merged.counts[name]
            for key, count in counts.items():
                into[key] = into.get(key, 0) + count
        for name, nulls in state.nulls.items():
            merged.nulls[name] += nulls
    merged.reservoir = None
    return merged


@dataclass(frozen=True)
class Pending:
    """A batch's summaries, ready to write: the row of each slot the batch touched."""

    rows: list[dict]
    keys: list[Key]


class SlotSummarizer:
    """One writer process's slot summaries (see the module for the protocol).

    ``prepare`` adds the batch to the in-memory slot states directly (copying ten
    sketches per batch would cost more than summarizing it) and remembers the
    touched slots' committed bytes; when a pending batch is never committed, the
    next ``prepare`` first restores those slots from them.
    """

    def __init__(self, writer_id: str, kinds_of: Callable[[str, str], Mapping[str, str] | None]) -> None:
        if not writer_id or len(writer_id) > 64:
            raise ValueError(f"writer_id must be 1 to 64 characters, got {writer_id!r}")
        self.writer_id = writer_id
        self.kinds_of = kinds_of
        self.states: dict[Key, SlotState] = {}
        self.committed: dict[Key, bytes | None] = {}  # each slot's bytes as last committed
        self.newest: datetime | None = None
        self._uncommitted: Pending | None = None
        self._kinds: dict[tuple[str, str], dict[str, str]] = {}
        self._rng = np.random.default_rng()

    def close(self) -> None:
        """Let go of every slot's sketches (a stopping writer): a sketch still alive when the
        interpreter exits makes its extension module warn of leaked instances."""
        self.states.clear()
        self.committed.clear()
        self._uncommitted = None

    def _rollback(self, pending: Pending) -> None:
        for key in pending.keys:
            data = self.committed.get(key)
            if data is None:
                self.states.pop(key, None)
            else:
                self.states[key] = SlotState.from_bytes(data)

    def _kinds_of(self, model: str, version: str, docs: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        known = self.kinds_of(model, version)
        if known is not None:
            return {k: v for k, v in known.items() if v in KINDS}
        cached = self._kinds.get((model, version))
        if cached is None:  # no schema: the first batch's values decide, once
            cached = self._kinds[(model, version)] = infer_kinds(docs)
        return cached

    def _groups(self, rows: Sequence[Mapping[str, Any]]) -> dict[Key, list[Mapping[str, Any]]]:
        groups: dict[Key, list[Mapping[str, Any]]] = {}
        start = high = datetime.max.replace(tzinfo=UTC)  # the last slot computed (most rows share it)
        for row in rows:
            created = row["created_at"]
            if not (start <= created < high):
                start = slot_start(created)
                high = start + SLOT
            key = (row["model_name"], row["model_version"], start)
            group = groups.get(key)
            if group is None:
                group = groups[key] = []
            group.append(row)
        return groups

    def _add(self, key: Key, group: list[Mapping[str, Any]]) -> None:
        docs = [row["features"] for row in group]
        kinds = self._kinds_of(key[0], key[1], docs)
        state = self.states.get(key)
        if state is None or state.kinds != kinds:  # new slot, or the schema changed under it
            state = self.states[key] = SlotState(dict(kinds))
        names = list(kinds)
        try:
            table = list(zip(*map(itemgetter(*names), docs), strict=True)) if len(names) > 1 else None
        except KeyError:  # a feature missing from some document: a null there
            table = None
        if table is None:
            table = [tuple(doc.get(name) for doc in docs) for name in names]
        columns = {name: _column(kinds[name], values) for name, values in zip(names, table, strict=True)}
        scores = np.array([row["probability"] for row in group], dtype=float)
        decisions = np.array([row["is_fraud"] for row in group], dtype=bool)
        shadows = sum(1 for row in group if row.get("shadow_of") is not None)
        state.add(columns, scores, decisions, shadows, self._rng)

    def prepare(self, rows: Sequence[Mapping[str, Any]]) -> Pending:
        """Summarize a batch of the writer's row dicts; the returned rows are each touched slot's
        cumulative summary, to ``write`` in the batch's transaction."""
        if self._uncommitted is not None:  # the last batch was never committed: undo it
            self._rollback(self._uncommitted)
            self._uncommitted = None
        groups = self._groups(rows)
        slots = [k[2] for k in groups] + ([self.newest] if self.newest else [])
        horizon = max(slots) - timedelta(seconds=KEEP_SECONDS) if slots else None
        keys: list[Key] = []
        try:
            for key, group in groups.items():
                if horizon is not None and key[2] < horizon:
                    continue  # older than any window the worker will judge
                keys.append(key)
                self._add(key, group)
            now = datetime.now(UTC)
            summary_rows = [
                dict(
                    model_name=key[0],
                    model_version=key[1],
                    slot_start=key[2],
                    writer_id=self.writer_id,
                    n_rows=self.states[key].n,
                    n_fraud=self.states[key].n_fraud,
                    n_shadow=self.states[key].n_shadow,
                    updated_at=now,
                    summary=self.states[key].to_bytes(),
                )
                for key in keys
            ]
        except Exception:  # a slot half-updated must not stand: back to the committed state
            self._rollback(Pending([], keys))
            raise
        pending = Pending(summary_rows, keys)
        self._uncommitted = pending
        return pending

    def write(self, conn, pending: Pending) -> None:
        """Upsert this writer's cumulative summary of each slot the batch touched (PostgreSQL or
        SQLite), in the caller's transaction."""
        if not pending.rows:
            return
        from sqlalchemy.dialects import postgresql, sqlite

        from driftwatch_core.db.models import PredictionSummary

        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(PredictionSummary)
        stmt = stmt.on_conflict_do_update(
            index_elements=["model_name", "model_version", "slot_start", "writer_id"],
            set_={c: stmt.excluded[c] for c in ("n_rows", "n_fraud", "n_shadow", "updated_at", "summary")},
        )
        conn.execute(stmt, pending.rows)

    def commit(self, pending: Pending) -> None:
        """The batch is committed: its slot states stand; slots older than ``KEEP_SECONDS`` before
        the newest are forgotten."""
        if self._uncommitted is pending:
            self._uncommitted = None
        for key, row in zip(pending.keys, pending.rows, strict=True):
            self.committed[key] = row["summary"]
            self.newest = key[2] if self.newest is None else max(self.newest, key[2])
        if self.newest is not None:
            horizon = self.newest - timedelta(seconds=KEEP_SECONDS)
            for key in [k for k in self.states if k[2] < horizon]:
                del self.states[key]
                self.committed.pop(key, None)
