"""Response models of the monitoring API: drift, performance and alerts.

Every timestamp is ISO-8601 in UTC (SQLite hands them back without a zone;
they were written in UTC).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from app.schemas.common import UtcDatetime

Status = Literal["ok", "insufficient_data", "no_data"]
Severity = Literal["none", "moderate", "significant"]
AlertStatus = Literal["open", "acknowledged", "resolved"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RunOut(_Out):
    id: int
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    window_start: UtcDatetime
    window_end: UtcDatetime
    n_rows: int
    status: str
    model_version: str | None
    dataset_drift: bool | None
    drift_share: float | None
    prediction_drift: bool | None


class Histogram(BaseModel):
    bins: list[str]
    reference: list[float]
    current: list[float]


class FeatureDriftOut(BaseModel):
    feature: str
    kind: Literal["numeric", "categorical", "boolean"]
    psi: float | None
    psi_severity: Severity
    test: str
    statistic: float | None
    p_value: float | None
    drifted: bool
    severity: Severity
    n_reference: int
    n_current: int
    window_start: UtcDatetime
    window_end: UtcDatetime
    histogram: Histogram


class DriftOut(BaseModel):
    status: Status
    run: RunOut | None
    features: list[FeatureDriftOut]
    score: FeatureDriftOut | None
    thresholds: dict[str, float]


class HistoryPoint(BaseModel):
    run_id: int
    computed_at: UtcDatetime
    psi: float | None
    statistic: float | None
    p_value: float | None
    drifted: bool
    severity: Severity


class HistoryOut(BaseModel):
    feature: str
    points: list[HistoryPoint]


class PredictionDriftOut(BaseModel):
    psi: float | None
    statistic: float | None
    p_value: float | None
    drifted: bool
    severity: Severity


class SummaryOut(BaseModel):
    status: Status
    run: RunOut | None
    dataset_drift: bool | None
    drift_share: float | None
    drifted_features: list[str]
    n_features: int
    rule: str | None
    prediction_drift: PredictionDriftOut | None


class PerformancePoint(BaseModel):
    computed_at: UtcDatetime
    window_start: UtcDatetime
    window_end: UtcDatetime
    n_rows: int
    roc_auc: float | None = None
    pr_auc: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    accuracy: float | None = None
    label_coverage: float | None = None
    label_lag_s: float | None = None
    cost_total: float | None = None
    false_positives: float | None = None
    false_negatives: float | None = None


class LatestPerformance(BaseModel):
    realized: PerformancePoint | None
    estimated: PerformancePoint | None


class PerformanceOut(BaseModel):
    realized: list[PerformancePoint]
    estimated: list[PerformancePoint]
    latest: LatestPerformance
    costs: dict[str, float]


class AlertOut(_Out):
    id: int
    kind: str
    feature: str
    severity: Literal["warning", "critical"]
    status: AlertStatus
    message: str
    value: float | None
    threshold: float | None
    opened_at: UtcDatetime
    updated_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    resolved_at: UtcDatetime | None


class AlertCounts(BaseModel):
    open: int = 0
    acknowledged: int = 0
    resolved: int = 0


class AlertsOut(BaseModel):
    items: list[AlertOut]
    counts: AlertCounts
