"""A window from the writers' slot summaries instead of its rows (``driftwatch_core.summaries``).

The backend's writer upserts, with every batch of predictions, each writer's
cumulative summary of each 10-second slot. Merging a window's 30 slots per
writer costs the same at 1,000 and at 1,000,000 rows; reading the rows back
does not.

**Coverage.** A version's summaries stand for its window only when they cover
it: its earliest summary slot is at or before the window's first slot, or the
model has no prediction older than that slot (a database that began with
summaries). Otherwise (summaries began with this release, mid-window, or rows
were inserted without the writer) the rows are read as before: ``worker.sources``
chooses. Rows inserted without the writer after summaries began cannot be seen
here: the writer is the only way predictions are stored. A summary whose feature
kinds differ from the target's (a schema changed under a version: ``agree``) also
sends the cycle back to the rows.

**Edges.** The window is whole slots: from the start of the slot holding its
start to its end (at most one slot, 10 s, more than the rows' window).

**Exact or sketched.** When every slot row kept all its rows (no more than the
reservoir's 1,024), numeric features and the score are judged from those rows
and categorical and boolean ones from their exact counts: exactly as rows read
from the table. Otherwise each feature is judged from the merged
summary: PSI from the KLL CDF at the reference's edges, KS from the CDF at the
reference's points (``worker.stats.ks``), chi-square and categorical PSI from
exact counts; ``n_rows`` is the summaries' total. Estimated performance reads a
uniform sample of the window's rows: from each slot row's reservoir a share of
rows proportional to the rows it summarizes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from datasketches import kll_doubles_sketch
from sqlalchemy import Connection, func, select

from driftwatch_core.db.models import PredictionSummary
from driftwatch_core.summaries import RESERVOIR_SIZE, SCORE, SlotState, slot_start
from worker.stats import Current, Sketched
from worker.window import Scope, has_predictions_before

SAMPLE_SEED = 16  # the reservoir sample of a window is the same every time it is read


@dataclass(frozen=True)
class SlotWindow:
    """A window known by its slot summaries: per feature and the score its values (``exact``:
    every row) or a ``Sketched`` (categorical and boolean features always: their counts are
    exact), the true row count, and scores and decisions for estimated performance (every
    row's when ``exact``, else a uniform sample)."""

    current: dict[str, Current]
    scores: np.ndarray
    decisions: np.ndarray
    n_rows: int
    exact: bool

    def columns(self) -> dict[str, Current]:
        return dict(self.current)


def _scope_where(scope: Scope) -> tuple:
    return (PredictionSummary.model_name == scope.model, PredictionSummary.model_version == scope.version)


def earliest_slot(conn: Connection, scope: Scope) -> datetime | None:
    """The version's earliest summary slot (one probe of the unique index)."""
    return conn.execute(select(func.min(PredictionSummary.slot_start)).where(*_scope_where(scope))).scalar()


def covers(conn: Connection, scope: Scope, start: datetime) -> bool:
    """Whether the version's summaries cover every prediction since ``start`` (see the module)."""
    earliest = earliest_slot(conn, scope)
    if earliest is None:
        return False
    return earliest <= slot_start(start) or not has_predictions_before(conn, scope.model, earliest)


def read_states(conn: Connection, scope: Scope, start: datetime, end: datetime) -> list[SlotState]:
    """Every writer's summary of the slots from the one holding ``start`` to ``end``."""
    stmt = select(PredictionSummary.summary).where(
        *_scope_where(scope), PredictionSummary.slot_start >= slot_start(start), PredictionSummary.slot_start < end
    )
    return [SlotState.from_bytes(bytes(data)) for data in conn.execute(stmt).scalars()]


def count(conn: Connection, scope: Scope, start: datetime, end: datetime) -> tuple[int, int]:
    """The version's predictions and shadow rows from the slot holding ``start`` to ``end``."""
    stmt = select(
        func.coalesce(func.sum(PredictionSummary.n_rows), 0), func.coalesce(func.sum(PredictionSummary.n_shadow), 0)
    ).where(*_scope_where(scope), PredictionSummary.slot_start >= slot_start(start), PredictionSummary.slot_start < end)
    n, shadows = conn.execute(stmt).one()
    return int(n), int(shadows)


def agree(states: Sequence[SlotState], kinds: Mapping[str, str]) -> bool:
    """Whether every state summarized the features under ``kinds`` (a schema changed under a version: no)."""
    return all(state.kinds.get(name) == kind for state in states for name, kind in kinds.items())


def _counts(states: Sequence[SlotState], name: str) -> Sketched:
    counts: dict[str, int] = {}
    for state in states:
        for key, value in state.counts[name].items():
            counts[key] = counts.get(key, 0) + value
    return Sketched(n=sum(counts.values()), counts=counts)


def _exact(states: Sequence[SlotState], scope: Scope) -> SlotWindow:
    """The window's every row, from reservoirs that kept all of theirs: numeric values as
    rows, categorical and boolean features by their counts (the same counts the rows give)."""
    reservoirs = [s.reservoir for s in states if s.reservoir is not None and s.n]

    def column(name: str) -> np.ndarray:
        parts = [r.values(name) for r in reservoirs]
        return np.concatenate(parts) if parts else np.array([], dtype=float)

    current: dict[str, Current] = {}
    for name, kind in scope.kinds.items():
        if kind == "numeric":
            values = column(name)
            current[name] = values[~np.isnan(values)]
        else:
            current[name] = _counts(states, name)
    scores = column(SCORE).astype(float)
    current[scope.score_name] = scores
    decisions = column("decision").astype(int) == 1
    return SlotWindow(current, scores, decisions, n_rows=sum(s.n for s in states), exact=True)


def _cdf(sketch: kll_doubles_sketch):
    def cdf(points: np.ndarray, inclusive: bool) -> np.ndarray:
        if sketch.is_empty() or len(points) == 0:
            return np.zeros(len(points))
        return np.asarray(sketch.get_cdf(np.asarray(points, dtype=float), inclusive), dtype=float)[:-1]

    return cdf


def _sample(states: Sequence[SlotState]) -> tuple[np.ndarray, np.ndarray]:
    """Scores and decisions of a uniform sample of the window's rows: from each slot row's
    reservoir the same share of the rows it summarizes."""
    kept = [(s.n, s.reservoir) for s in states if s.reservoir is not None and s.n]
    if not kept:
        return np.array([], dtype=float), np.array([], dtype=bool)
    share = min(r.size / n for n, r in kept)
    rng = np.random.default_rng(SAMPLE_SEED)
    scores, decisions = [], []
    for n, reservoir in kept:
        take = min(reservoir.size, round(n * share))
        rows = rng.choice(reservoir.size, take, replace=False)
        scores.append(reservoir.values(SCORE)[rows])
        decisions.append(reservoir.values("decision")[rows] == 1)
    return np.concatenate(scores), np.concatenate(decisions)


def _sketched(states: Sequence[SlotState], scope: Scope) -> SlotWindow:
    current: dict[str, Current] = {}
    for name, kind in {**scope.kinds, SCORE: "numeric"}.items():
        if kind == "numeric":
            merged = kll_doubles_sketch(states[0].sketches[name].k)
            for state in states:
                merged.merge(state.sketches[name])
            current[name] = Sketched(n=merged.n, cdf=_cdf(merged))
        else:
            current[name] = _counts(states, name)
    current[scope.score_name] = current.pop(SCORE)
    scores, decisions = _sample(states)
    return SlotWindow(current, scores, decisions, n_rows=sum(s.n for s in states), exact=False)


def merge(states: Sequence[SlotState], scope: Scope) -> SlotWindow:
    """The window the states summarize (read by ``read_states``, every one ``agrees``): exact
    when every slot row kept all its rows, else sketched."""
    if all(s.n <= RESERVOIR_SIZE for s in states):
        return _exact(states, scope)
    return _sketched(states, scope)
