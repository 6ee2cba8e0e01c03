"""Read the current window and the labelled predictions, only the columns needed.

Both queries are ranges on ``predictions.created_at`` (indexed). Features are
extracted from the JSON column by the database (``->>`` on PostgreSQL,
``json_extract`` on SQLite), so Python never parses a JSON document per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from app.ml.features import FEATURES, SCORE_NAME
from app.models import GroundTruth, Prediction


def _feature_column(feature):
    value = Prediction.features[feature.name]
    if feature.kind == "numeric":
        return value.as_float().label(feature.name)
    if feature.kind == "boolean":
        return value.as_boolean().label(feature.name)
    return value.as_string().label(feature.name)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    frame: pd.DataFrame  # one column per feature, plus score and decision

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    def columns(self) -> dict[str, np.ndarray]:
        """Feature and score columns as arrays, nulls dropped per column."""
        return {name: self.frame[name].dropna().to_numpy() for name in self.frame.columns
                if name != "decision"}


def load_window(conn: Connection, start: datetime, end: datetime) -> Window:
    stmt = select(
        *(_feature_column(f) for f in FEATURES),
        Prediction.probability.label(SCORE_NAME),
        Prediction.is_fraud.label("decision"),
    ).where(Prediction.created_at >= start, Prediction.created_at < end)
    result = conn.execute(stmt)
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    return Window(start, end, frame)


@dataclass(frozen=True)
class Labelled:
    scores: np.ndarray
    decisions: np.ndarray
    labels: np.ndarray
    lags_s: np.ndarray
    n_predictions: int


def load_labelled(conn: Connection, start: datetime, end: datetime) -> Labelled:
    """Predictions of [start, end) that have a label, and how many predictions there were."""
    in_window = (Prediction.created_at >= start, Prediction.created_at < end)
    rows = conn.execute(
        select(Prediction.probability, Prediction.is_fraud, GroundTruth.label,
               Prediction.created_at, GroundTruth.received_at)
        .join(GroundTruth, GroundTruth.prediction_id == Prediction.id)
        .where(*in_window)
    ).all()
    total = conn.execute(select(func.count()).select_from(Prediction).where(*in_window)).scalar_one()
    frame = pd.DataFrame(rows, columns=["p", "d", "y", "created", "received"])
    lags = (pd.to_datetime(frame["received"], utc=True) - pd.to_datetime(frame["created"], utc=True))
    return Labelled(
        scores=frame["p"].to_numpy(dtype=float), decisions=frame["d"].to_numpy(dtype=bool),
        labels=frame["y"].to_numpy(dtype=bool), lags_s=lags.dt.total_seconds().to_numpy(),
        n_predictions=int(total),
    )
