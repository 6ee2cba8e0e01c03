"""Response models of the monitoring API: drift, performance and alerts.

Every timestamp is ISO-8601 in UTC (SQLite hands them back without a zone;
they were written in UTC).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.common import UtcDatetime

Status = Literal["ok", "insufficient_data", "no_data"]
Severity = Literal["none", "moderate", "significant"]
AlertStatus = Literal["open", "acknowledged", "resolved"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Filled(BaseModel):
    """Fields with defaults are still always in the answer: required in the documented schema."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class RunOut(_Out):
    """One monitoring cycle of the worker."""

    id: int
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = Field(description="Null while the cycle runs.")
    window_start: UtcDatetime = Field(description="Start of the traffic window the cycle judged.")
    window_end: UtcDatetime
    n_rows: int = Field(description="Predictions in the window.")
    status: str = Field(description="`ok`, `insufficient_data` (too few rows to judge), `running` or `failed`.")
    model_version: str | None
    dataset_drift: bool | None = Field(description="Whether the dataset-drift rule fired; null without a verdict.")
    drift_share: float | None = Field(description="Share of features drifted; null without a verdict.")
    prediction_drift: bool | None = Field(description="Whether the score drifted; null without a verdict.")


class Histogram(BaseModel):
    bins: list[str] = Field(description="Bin labels: value ranges, or the categories.")
    reference: list[float] = Field(description="Share of the reference in each bin.")
    current: list[float] = Field(description="Share of the window in each bin.")


class FeatureDriftOut(BaseModel):
    feature: str = Field(
        description="A feature name, or the score's (`score`; `fraud_probability` in versions registered before 2.0)."
    )
    kind: Literal["numeric", "categorical", "boolean"]
    psi: float | None = Field(description="Population stability index against the reference bins.")
    psi_severity: Severity = Field(description="The PSI band alone (thresholds psi_moderate, psi_significant).")
    test: str = Field(description="The hypothesis test: `ks` (numeric) or `chi2`.")
    statistic: float | None = Field(description="The test's statistic.")
    p_value: float | None = Field(description="The test's p-value; null when it has none.")
    drifted: bool = Field(description="p-value below alpha and an effect above its floor.")
    severity: Severity = Field(description="The PSI band, at least `moderate` when drifted.")
    n_reference: int = Field(description="Reference rows compared.")
    n_current: int = Field(description="Window rows compared.")
    window_start: UtcDatetime
    window_end: UtcDatetime
    histogram: Histogram


class DriftOut(BaseModel):
    status: Status = Field(description="The newest finished cycle's status; `no_data` before any.")
    run: RunOut | None = Field(description="The newest finished cycle; null before any.")
    features: list[FeatureDriftOut] = Field(description="In the feature schema's order.")
    score: FeatureDriftOut | None = Field(description="Drift of the model's score (prediction drift).")
    thresholds: dict[str, float] = Field(description="The thresholds the cycle judged by, by name.")


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
    rule: str | None = Field(description="The dataset-drift rule in words; null before any cycle.")
    prediction_drift: PredictionDriftOut | None = Field(description="Drift of the score; null before any cycle.")


class PerformancePoint(_Filled):
    """One cycle's performance; a metric is null when the window cannot give it (e.g. one class)."""

    computed_at: UtcDatetime
    window_start: UtcDatetime
    window_end: UtcDatetime
    n_rows: int = Field(description="Rows judged: labelled ones (realized) or all scored ones (estimated).")
    window_reason: Literal["label_window", "since_switch"] | None = Field(
        default=None,
        description="Realized only: why the window starts where it does: `label_window` (the last "
        "WORKER_LABEL_WINDOW_MINUTES) or `since_switch` (the newest traffic switch is later; labels of "
        "the traffic before it are left out).",
    )
    roc_auc: float | None = None
    roc_auc_low: float | None = Field(
        default=None,
        description="Estimated only: the 90% band of the ROC-AUC calibrated scores like the window's "
        "would show on their labels (a bootstrap); a realized ROC-AUC below it disagrees with the scores.",
    )
    roc_auc_high: float | None = Field(default=None, description="Estimated only: the band's top.")
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
    realized: list[PerformancePoint] = Field(description="From ground-truth labels, oldest first.")
    estimated: list[PerformancePoint] = Field(description="From the scores alone (before labels arrive).")
    latest: LatestPerformance = Field(description="The newest point of each kind, however old.")
    costs: dict[str, float] = Field(description="Unit costs of errors the cycle used, by kind.")


class AlertOut(_Out):
    id: int
    kind: str = Field(
        description="What fired: `feature_drift`, `prediction_drift`, `dataset_drift`, `performance`, `no_traffic`"
        " or `monitoring_failed` (a model's cycle could not run); `promotion_gate` is a note (severity `info`):"
        " the promotion gate's latest decision about the challenger, and why."
    )
    feature: str = Field(description="The feature (or metric) it is about; empty for dataset drift.")
    severity: Literal["info", "warning", "critical"] = Field(description="`info` for notes, never counted as open.")
    status: AlertStatus
    message: str = Field(description="One line for people.")
    value: float | None = Field(description="The measured value that crossed the threshold.")
    threshold: float | None
    opened_at: UtcDatetime
    updated_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    resolved_at: UtcDatetime | None
    incident_id: int | None = Field(
        description="The incident grouping it (GET /api/v1/incidents/{id}); null for notes and older alerts."
    )


class AlertCounts(_Filled):
    open: int = 0
    acknowledged: int = 0
    resolved: int = 0


class AlertsOut(BaseModel):
    items: list[AlertOut] = Field(description="Newest first, at most `limit`.")
    counts: AlertCounts = Field(description="Alerts per status, over all of them but notes (severity `info`).")
