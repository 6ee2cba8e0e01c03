"""Read one model version's current window and labelled predictions, only the columns needed.

Every query is scoped to one model and the version that scored the rows
(``Scope``): a range on ``predictions(model_name, created_at)`` (indexed),
filtered by ``model_version``, so one model's traffic never counts for another
and a new version is never judged against an older version's reference.
Features are extracted from the JSON column by the database (``->>`` on
PostgreSQL, ``json_extract`` on SQLite) by the kind the version's schema gives
each (numeric as float, boolean as boolean, categorical as text), so Python
never parses a JSON document per row and any schema reads alike. On PostgreSQL
the rows travel as one ``COPY ... TO STDOUT`` CSV stream read by pandas' C
parser: building 100,000 Python row objects would cost more than the whole
statistics. Above ``max_rows`` rows a uniform random sample of about
``max_rows`` is read (the tests and metrics need no more, and memory stays
bounded); the window still reports its true row count.

The realized-performance window (``label_window``) is the label window cut at
the newest traffic switch: see its docstring.

A version's rows include its **shadow rows** (``predictions.shadow_of`` set):
its scores of requests another version answered are its scores of real
traffic. Labels only ever name the answered prediction, so a shadow row takes
the label of the prediction it shadows (``coalesce(shadow_of, id)``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Select, String, func, select

from driftwatch_core.db.models import GroundTruth, ModelEvent, Prediction

_SCORE, _DECISION = "score", "decision"  # the labels of the score and decision columns


@dataclass(frozen=True)
class Scope:
    """Whose predictions: one model's, scored by one version, and how its features are read."""

    model: str
    version: str
    kinds: Mapping[str, str]  # feature name -> numeric | categorical | boolean, in schema order
    score_name: str  # the name the score is judged and stored under

    def where(self) -> tuple:
        return (Prediction.model_name == self.model, Prediction.model_version == self.version)


def _feature_column(name: str, kind: str, label: str):
    value = Prediction.features[name]
    if kind == "numeric":
        return value.as_float().label(label)
    if kind == "boolean":
        return value.as_boolean().label(label)
    return value.as_string().label(label)


def _copy_frame(conn: Connection, stmt: Select) -> pd.DataFrame:
    compiled = stmt.compile(dialect=conn.dialect)
    buffer = io.StringIO()
    raw: Any = conn.connection.dbapi_connection  # psycopg2: cursors are context managers
    with raw.cursor() as cur:
        query = cur.mogrify(str(compiled), compiled.params).decode()
        cur.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    text = {c.name: str for c in stmt.selected_columns if isinstance(c.type, String)}  # "01" stays "01"
    frame = pd.read_csv(buffer, keep_default_na=False, na_values=[""], dtype=text)
    for column in stmt.selected_columns:
        if isinstance(column.type, Boolean):
            values = frame[column.name]
            flags = values.eq("t")
            frame[column.name] = flags if values.notna().all() else (flags.astype(object).where(values.notna(), None))
    return frame


def read_frame(conn: Connection, stmt: Select, copy: bool = True) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame, one column per selected column."""
    names = [c.name for c in stmt.selected_columns]
    if copy and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2":
        frame = _copy_frame(conn, stmt)
        return frame if len(frame.columns) else pd.DataFrame(columns=names)
    rows = conn.execute(stmt).all()
    return pd.DataFrame(
        {name: list(col) for name, col in zip(names, zip(*rows, strict=False), strict=True)}
        if rows
        else {name: [] for name in names}
    )


@dataclass(frozen=True)
class Window:
    frame: pd.DataFrame  # one column per feature, named as in the schema (maybe a sample)
    scores: np.ndarray  # the model's score of each row of ``frame``
    decisions: np.ndarray  # its decision (score >= threshold), as bools
    score_name: str
    n_rows: int  # every prediction of the window

    def columns(self) -> dict[str, np.ndarray]:
        """Feature and score columns as arrays, nulls dropped per column."""
        columns = {str(name): self.frame[name].dropna().to_numpy() for name in self.frame.columns}
        return {**columns, self.score_name: self.scores}


def _count(conn: Connection, *where) -> int:
    return int(conn.execute(select(func.count()).select_from(Prediction).where(*where)).scalar_one())


def has_predictions_before(conn: Connection, model: str, moment: datetime) -> bool:
    """Whether ``model`` (any version) has a prediction older than ``moment`` (one index probe)."""
    stmt = (
        select(Prediction.created_at)
        .where(Prediction.model_name == model, Prediction.created_at < moment)
        .order_by(Prediction.model_name, Prediction.created_at)
        .limit(1)
    )
    return conn.execute(stmt).first() is not None


def sample_filter(conn: Connection, share: float) -> list:
    """A row filter keeping each row with probability ``share`` (none when share >= 1)."""
    if share >= 1:
        return []
    if conn.dialect.name == "postgresql":
        return [func.random() < share]
    return [func.abs(func.random() % 1_000_000) < int(share * 1_000_000)]  # SQLite's random()


def _sampled_range(
    conn: Connection, scope: Scope, start: datetime, end: datetime, max_rows: int | None
) -> tuple[list, int, float]:
    """Filters for the scope's predictions of [start, end), sampled down to about ``max_rows``;
    the true count of those predictions; and the share of them the sample keeps."""
    in_window = (*scope.where(), Prediction.created_at >= start, Prediction.created_at < end)
    total = _count(conn, *in_window)
    share = min(1.0, max_rows / total) if max_rows and total else 1.0
    return [*in_window, *sample_filter(conn, share)], total, share


def load_window(
    conn: Connection, scope: Scope, start: datetime, end: datetime, copy: bool = True, max_rows: int | None = None
) -> Window:
    where, total, _ = _sampled_range(conn, scope, start, end, max_rows)
    labels = {f"f{i}": name for i, name in enumerate(scope.kinds)}  # any feature name, any length
    stmt = select(
        *(_feature_column(name, scope.kinds[name], label) for label, name in labels.items()),
        Prediction.probability.label(_SCORE),
        Prediction.is_fraud.label(_DECISION),
    ).where(*where)
    frame = read_frame(conn, stmt, copy)
    return Window(
        frame=frame[list(labels)].rename(columns=labels),
        scores=frame[_SCORE].to_numpy(dtype=float),
        decisions=frame[_DECISION].to_numpy(dtype=bool),
        score_name=scope.score_name,
        n_rows=total,
    )


#: The ``model_events`` kind the backend records when the simulator's scenario changes.
SWITCH_EVENT = "scenario"


def newest_switch(conn: Connection, model: str, at: datetime) -> datetime | None:
    """When ``model``'s traffic last switched scenario at or before ``at`` (None: never).

    The backend records a ``scenario`` event under the model the simulator's traffic goes
    to, so another model's switch is not this one's. One probe of the events' index."""
    stmt = (
        select(ModelEvent.created_at)
        .where(ModelEvent.model_name == model, ModelEvent.kind == SWITCH_EVENT, ModelEvent.created_at <= at)
        .order_by(ModelEvent.created_at.desc())
        .limit(1)
    )
    return conn.execute(stmt).scalar()


@dataclass(frozen=True)
class LabelWindow:
    """Where realized performance starts, and why: ``label_window`` (the last
    WORKER_LABEL_WINDOW_MINUTES) or ``since_switch`` (the newest traffic switch is later)."""

    start: datetime
    reason: str  # "label_window" | "since_switch"
    switched_at: datetime | None  # the newest traffic switch, whether or not it cut the window


def label_window(conn: Connection, model: str, now: datetime, minutes: float) -> LabelWindow:
    """``model``'s realized-performance window: predictions made since max(now - ``minutes``,
    the newest switch of its traffic).

    A switch is a new population: labels of predictions made before it describe the
    traffic that was, and a 30-minute window still full of them hid concept drift for
    its whole length (realized ROC-AUC read 0.968 five minutes into a scenario whose own
    labels give 0.47). Cut at the switch, the window holds only the new traffic; while
    it has fewer than WORKER_MIN_LABELS labels the figures are shown but judge nothing.
    The window is a time range rather than the last N labels: its start is one instant
    for every metric of the model (label coverage and lag included), and at a steady
    rate it holds the label window's worth of labels anyway."""
    start = now - timedelta(minutes=minutes)
    switched = newest_switch(conn, model, now)
    if switched is not None and switched > start:
        return LabelWindow(switched, "since_switch", switched)
    return LabelWindow(start, "label_window", switched)


def _utc(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, utc=True, format="ISO8601")


def labelled_id():
    """The prediction whose label a row takes: the answered one it shadows, else itself."""
    return func.coalesce(Prediction.shadow_of, Prediction.id)


@dataclass(frozen=True)
class Labelled:
    scores: np.ndarray
    decisions: np.ndarray
    labels: np.ndarray
    lags_s: np.ndarray
    n_predictions: float  # predictions the labelled rows were drawn from (for coverage)


def load_labelled(
    conn: Connection, scope: Scope, start: datetime, end: datetime, max_rows: int | None = None
) -> Labelled:
    """The scope's predictions of [start, end) that have a label, and how many predictions there were."""
    where, total, share = _sampled_range(conn, scope, start, end, max_rows)
    frame = read_frame(
        conn,
        select(
            Prediction.probability.label("p"),
            Prediction.is_fraud.label("d"),
            GroundTruth.label.label("y"),
            Prediction.created_at.label("created"),
            GroundTruth.received_at.label("received"),
        )
        .join(GroundTruth, GroundTruth.prediction_id == labelled_id())
        .where(*where),
    )
    lags = _utc(frame["received"]) - _utc(frame["created"])
    return Labelled(
        scores=frame["p"].to_numpy(dtype=float),
        decisions=frame["d"].to_numpy(dtype=bool),
        labels=frame["y"].to_numpy(dtype=bool),
        lags_s=lags.dt.total_seconds().to_numpy(),
        n_predictions=total * share,
    )
