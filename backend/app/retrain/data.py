"""What a retrain learns from: recent labelled traffic, and some of the original training data.

**Labelled traffic** is the answered predictions of the model (``shadow_of IS NULL``:
a shadow row is a score nobody was answered with, and has no label of its own)
joined with their ground truth, created in a time range (the newest
``RETRAIN_MAX_ROWS`` of it). Each row's features (the JSON column) are checked
against the champion's feature schema; a row that does not fit (a feature
missing, a category the schema does not know, a number out of range) is dropped
and counted.

The **hold-out** is the newest ``RETRAIN_HOLDOUT_SHARE`` of that traffic by
``created_at``: evaluation only, never trained on, so the comparison with the
champion is on traffic neither model has seen.

The **original data** (the reference part of the mix) is the champion's reference
table: the sample of rows (features and label) every version keeps from its
registration (``model_versions.reference_table``). A retrained version's reference
table is its own training table, so a retrain of a retrain still mixes in some of the
first version's rows. A version registered before the rows were kept, or without a
label column, gets 0 reference rows, and the source says why.
"""

from __future__ import annotations

import io
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from driftwatch_core.db.models import GroundTruth, Prediction
from driftwatch_core.features import Feature


class TooFewLabels(Conflict):
    """Not enough labelled traffic (or not both classes) to retrain and evaluate; nothing was done."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass
class LabelCounts:
    """Labelled predictions in a window and how the hold-out split would divide them."""

    n: int
    positives: int
    train_n: int
    train_positives: int
    holdout_n: int
    holdout_positives: int

    @classmethod
    def of(cls, labels: Sequence[bool | int], holdout_share: float) -> LabelCounts:
        """``labels`` oldest first; the newest ``holdout_share`` is the hold-out."""
        n = len(labels)
        n_hold = holdout_size(n, holdout_share)
        y = np.asarray(labels, dtype=int)
        return cls(
            n=n,
            positives=int(y.sum()),
            train_n=n - n_hold,
            train_positives=int(y[: n - n_hold].sum()),
            holdout_n=n_hold,
            holdout_positives=int(y[n - n_hold :].sum()),
        )

    def as_dict(self) -> dict:
        return {
            "labelled": self.n,
            "positives": self.positives,
            "train": self.train_n,
            "train_positives": self.train_positives,
            "holdout": self.holdout_n,
            "holdout_positives": self.holdout_positives,
        }


def holdout_size(n: int, share: float) -> int:
    return min(n, max(1, math.ceil(n * share))) if n else 0


def when(at: datetime, now: datetime | None = None) -> str:
    """``13:05 UTC`` today, ``2026-11-30 13:05 UTC`` another day."""
    at, now = at.astimezone(UTC), (now or datetime.now(UTC)).astimezone(UTC)
    return f"{at:%H:%M} UTC" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M} UTC"


def check_enough(counts: LabelCounts, model: str, window: Window, min_labels: int) -> None:
    """Raise ``TooFewLabels`` saying what is missing, unless the rows can train and evaluate a model."""
    since = when(window.start, window.end)
    if counts.n < min_labels:
        raise TooFewLabels(
            f"only {counts.n} labelled predictions of {model} since {since}; "
            f"retraining needs at least {min_labels} (both classes)",
            labels=counts.as_dict(),
        )
    for part, n, positives in (
        ("for training", counts.train_n, counts.train_positives),
        ("held out (the newest)", counts.holdout_n, counts.holdout_positives),
    ):
        if positives == 0 or positives == n:
            missing = "positive" if positives == 0 else "negative"
            raise TooFewLabels(
                f"the {n} labelled predictions of {model} {part} since {since} have no {missing} label; "
                f"retraining needs both classes in training and in the hold-out ({counts.n} labelled in all)",
                labels=counts.as_dict(),
            )


def _labelled(model: str, window: Window):
    return (
        select(Prediction.created_at, Prediction.id)
        .join(GroundTruth, GroundTruth.prediction_id == Prediction.id)
        .where(
            Prediction.model_name == model,
            Prediction.shadow_of.is_(None),
            Prediction.created_at >= window.start,
            Prediction.created_at < window.end,
        )
        .order_by(Prediction.created_at.desc(), Prediction.id.desc())
    )


def label_counts(session: Session, model: str, window: Window, holdout_share: float, max_rows: int) -> LabelCounts:
    """The labelled predictions a retrain of ``model`` would read now (labels only: cheap)."""
    query = _labelled(model, window).add_columns(GroundTruth.label).limit(max_rows)
    labels = [row.label for row in session.execute(query)]
    labels.reverse()  # oldest first
    return LabelCounts.of(labels, holdout_share)


@dataclass
class Traffic:
    """Labelled, schema-valid predictions, oldest first."""

    ids: list[uuid.UUID]
    created_at: list[datetime]
    versions: list[str]
    rows: list[dict]
    probabilities: np.ndarray
    labels: np.ndarray
    read: int  # rows read before the schema check
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> rows

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, sl: slice) -> Traffic:
        return Traffic(
            self.ids[sl],
            self.created_at[sl],
            self.versions[sl],
            self.rows[sl],
            self.probabilities[sl],
            self.labels[sl],
            read=0,
        )


def load_traffic(session: Session, model: str, window: Window, schema: Sequence[Feature], max_rows: int) -> Traffic:
    """The labelled answered predictions of ``model`` in ``window`` (the newest ``max_rows``), oldest first,
    keeping the rows whose features fit ``schema``."""
    query = (
        _labelled(model, window)
        .add_columns(Prediction.model_version, Prediction.features, Prediction.probability, GroundTruth.label)
        .limit(max_rows)
    )
    found = list(session.execute(query))
    found.reverse()
    dropped: dict[str, int] = {}
    kept = []
    for row in found:
        problem = row_problem(row.features, schema)
        if problem is None:
            kept.append(row)
        else:
            dropped[problem] = dropped.get(problem, 0) + 1
    return Traffic(
        ids=[r.id for r in kept],
        created_at=[r.created_at for r in kept],
        versions=[r.model_version for r in kept],
        rows=[{f.name: r.features[f.name] for f in schema} for r in kept],
        probabilities=np.array([r.probability for r in kept], dtype=float),
        labels=np.array([int(bool(r.label)) for r in kept], dtype=int),
        read=len(found),
        dropped=dropped,
    )


def row_problem(features: Any, schema: Sequence[Feature]) -> str | None:
    """Why a stored row does not fit the schema (a short reason to count by), or None."""
    if not isinstance(features, dict):
        return "features are not an object"
    for f in schema:
        if f.name not in features:
            return f"{f.name} missing"
        value = features[f.name]
        if f.kind == "categorical":
            if value not in f.categories:
                return f"{f.name} has a category the schema does not know"
        elif f.kind == "boolean":
            if not isinstance(value, bool):
                return f"{f.name} is not a boolean"
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                return f"{f.name} is not a number"
            if (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
                return f"{f.name} is out of the schema's range"
    return None


# --- The original data ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceRows:
    columns: dict[str, np.ndarray]
    labels: np.ndarray
    available: int  # rows the champion's reference table holds


def no_reference_reason(table: bytes | None, label: str | None, share: float) -> str:
    if share <= 0:
        return "RETRAIN_REFERENCE_SHARE is 0: traffic only"
    if table is None:
        return "the champion keeps no reference rows (it was registered before they were kept)"
    if label is None:
        return "the champion's reference rows have no label column"
    return "no reference rows were wanted"


def reference_rows(table: bytes, schema: Sequence[Feature], label: str, n: int, seed: int) -> ReferenceRows:
    """At most ``n`` rows of the champion's reference table (a seeded sample), with their labels."""
    frame = pd.read_parquet(io.BytesIO(table))
    take = np.sort(np.random.default_rng(seed).choice(len(frame), size=min(n, len(frame)), replace=False))
    columns = {f.name: frame[f.name].to_numpy()[take] for f in schema}
    return ReferenceRows(columns, frame[label].to_numpy()[take].astype(int), len(frame))
