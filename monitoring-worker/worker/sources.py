"""Where a model version's windows are read from in one cycle: the writers' slot summaries or the rows.

``choose`` is the one place that decides, once per model per cycle, and the
cycle asks nothing more about it. The summaries (``SummarySource``,
``worker.slots``) stand for the version's windows when they cover both of them
(from the earlier start of the drift window and the label window: see
``slots.covers``) and every slot of the drift window was summarized under the
version's feature kinds. Otherwise the rows are read (``RowSource``,
``worker.window``), as before summaries: for a version whose summaries began
less than a label window ago (after an upgrade, for 30 minutes), or rows stored
without the writer.

Both sources give the same two things (``WindowSource``): the drift window to
judge (per feature and the score its values or their summary, scores and
decisions for estimated performance, the true row count), and the labelled
predictions of the label window. From summaries only the labels received since
the last cycle are read (``worker.labels``), the predictions and shadow rows
they are drawn from counted by the summaries; from rows every labelled row is
read again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol

import numpy as np
from sqlalchemy import Connection

from driftwatch_core.summaries import SlotState
from worker import slots
from worker.labels import LabelCache
from worker.stats import Current
from worker.window import Labelled, Scope, load_labelled, load_window


class WindowData(Protocol):
    """A drift window as the judges read it, whichever source it came from."""

    @property
    def n_rows(self) -> int: ...  # every prediction of the window (the columns may be a sample)

    @property
    def scores(self) -> np.ndarray: ...

    @property
    def decisions(self) -> np.ndarray: ...

    def columns(self) -> Mapping[str, Current]: ...


@dataclass(frozen=True)
class Spans:
    """A cycle's two windows: the drift window [window_start, end) and the label window [label_start, end)."""

    window_start: datetime
    label_start: datetime
    end: datetime


class WindowSource(Protocol):
    """One model version's windows of one cycle, read from one source."""

    @property
    def name(self) -> str: ...  # "summaries" | "rows"

    def window(self, conn: Connection) -> WindowData:
        """The drift window."""
        ...

    def labelled(self, conn: Connection) -> Labelled:
        """The label window's labelled predictions."""
        ...


@dataclass(frozen=True)
class RowSource:
    """The windows read from the ``predictions`` table (sampled above ``max_rows``)."""

    scope: Scope
    spans: Spans
    max_rows: int | None = None
    name: ClassVar[str] = "rows"

    def window(self, conn: Connection) -> WindowData:
        return load_window(conn, self.scope, self.spans.window_start, self.spans.end, max_rows=self.max_rows)

    def labelled(self, conn: Connection) -> Labelled:
        return load_labelled(conn, self.scope, self.spans.label_start, self.spans.end, max_rows=self.max_rows)


@dataclass(frozen=True)
class SummarySource:
    """The drift window merged from its slot summaries (``states``), the labels from the cache."""

    scope: Scope
    spans: Spans
    states: Sequence[SlotState]
    cache: LabelCache
    max_rows: int | None = None
    name: ClassVar[str] = "summaries"

    def window(self, conn: Connection) -> WindowData:
        return slots.merge(self.states, self.scope)

    def labelled(self, conn: Connection) -> Labelled:
        start, end = self.spans.label_start, self.spans.end
        n_predictions, n_shadow = slots.count(conn, self.scope, start, end)
        return self.cache.load(conn, self.scope, start, end, n_predictions, n_shadow > 0, self.max_rows)


def choose(
    conn: Connection, scope: Scope, spans: Spans, cache: LabelCache, max_rows: int | None = None
) -> WindowSource:
    """The summaries when they cover both windows and agree with the version's schema, else the rows."""
    if slots.covers(conn, scope, min(spans.window_start, spans.label_start)):
        states = slots.read_states(conn, scope, spans.window_start, spans.end)
        if slots.agree(states, scope.kinds):
            return SummarySource(scope, spans, states, cache, max_rows)
    return RowSource(scope, spans, max_rows)
