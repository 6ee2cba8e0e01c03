"""Live traffic statistics: ``GET /stats``, ``GET /stats/history`` and the live ``stats`` message.

Figures of a window are ``null`` while it holds no prediction (a percentile
or rate of nothing), never 0.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.schemas.common import IsoDatetime


class LatencyPercentiles(BaseModel):
    p50: float | None = Field(description="Median server-side latency in ms; null without predictions.")
    p95: float | None = Field(description="95th percentile in ms; null without predictions.")
    p99: float | None = Field(description="99th percentile in ms; null without predictions.")


class WindowFigures(BaseModel):
    count: int = Field(description="Predictions stored in the window.")
    per_second: float = Field(description="count divided by the window's length.")
    positive_rate: float | None = Field(description="Share with the positive decision; null without predictions.")
    latency_ms: LatencyPercentiles


class StatsOut(BaseModel):
    as_of: IsoDatetime = Field(description="When the figures were computed (they are cached ~1 s).")
    total_predictions: int = Field(description="Every stored prediction.")
    total_positive: int = Field(description="Stored predictions with the positive decision.")
    window_seconds: int = Field(description="Length of the last_minute window in seconds.")
    last_minute: WindowFigures
    positive_rate: float | None = Field(description="total_positive / total_predictions; null before any.")
    pending_writes: int = Field(description="Predictions answered but not stored yet (this replica).")
    model: str = Field(description="The model these figures are of.")
    model_version: str | None = Field(description="Its champion's version; null when it has none.")


class StatsPoint(BaseModel):
    as_of: IsoDatetime = Field(description="End of this point's window.")
    last_minute: WindowFigures


class StatsHistoryOut(BaseModel):
    window_seconds: int = Field(description="Length of each point's trailing window in seconds.")
    step_seconds: int = Field(description="Seconds between consecutive points.")
    points: list[StatsPoint] = Field(description="Oldest first; the last one ends now.")
