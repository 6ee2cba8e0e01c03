"""Response models of the incidents API: a model's alerts grouped by cause.

An incident is what people act on: one fraud-ring shift opens a dozen drift
alerts (one per feature, the score, the dataset) and one incident holding them.
Every timestamp is ISO-8601 in UTC, as in the rest of the API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import UtcDatetime
from app.schemas.monitoring import AlertCounts, AlertOut, AlertStatus

Cause = Literal["drift", "performance", "no_traffic", "monitoring_failed"]


class IncidentFeature(BaseModel):
    """One input feature of a drift incident."""

    name: str = Field(description="The feature's name in the schema.")
    label: str = Field(description="Its name for people, e.g. `Distance from home (km)`.")
    severity: Literal["info", "warning", "critical"] = Field(description="Its newest alert's severity.")
    peak_psi: float | None = Field(description="The highest PSI it reached during the incident.")
    current_psi: float | None = Field(description="Its PSI in the newest cycle that judged drift; null before one.")
    drifted: bool = Field(description="Whether it is still drifting (the newest cycle that judged drift says so).")


class IncidentPeak(BaseModel):
    """The worst the incident got; never lowered, kept once it is resolved."""

    drift_share: float | None = Field(description="The highest share of features drifted in one cycle.")
    roc_auc: float | None = Field(description="The lowest realized ROC-AUC measured while it was unresolved.")


class IncidentOut(BaseModel):
    id: int
    model: str = Field(description="The model it is about.")
    cause: Cause = Field(
        description="`drift` (feature, prediction and dataset drift alerts), `performance` (realized ROC-AUC"
        " below its floor), `no_traffic` or `monitoring_failed`."
    )
    status: AlertStatus = Field(description="`resolved` once all its alerts are.")
    severity: Literal["info", "warning", "critical"] = Field(
        description="The highest of its unresolved alerts' (kept once resolved)."
    )
    title: str = Field(description="One line for people, e.g. `Input drift: 3 of 13 features shifted`.")
    summary: str = Field(description="What moved and which way, and how soon it was detected.")
    opened_at: UtcDatetime = Field(description="The first detection: when its first alert opened.")
    started_at: UtcDatetime | None = Field(
        description="When the cause began, where known: the traffic switch before it, else the start of the"
        " window that first showed it; null when unknown."
    )
    detection_s: float | None = Field(description="Seconds from `started_at` to `opened_at`; null without a start.")
    updated_at: UtcDatetime
    acknowledged_at: UtcDatetime | None
    acknowledged_by: str | None = Field(description="Who acknowledged it (an API key's id); null if nobody did.")
    resolved_at: UtcDatetime | None
    duration_s: float = Field(description="Seconds from `opened_at` to `resolved_at` (or to now while unresolved).")
    features: list[IncidentFeature] = Field(description="Drifted input features, highest peak PSI first.")
    peak: IncidentPeak
    n_alerts: int = Field(description="Alerts it holds.")
    n_open: int = Field(description="Of those, the ones not resolved yet (open or acknowledged).")
    alerts: list[AlertOut] = Field(description="Its alerts, newest first.")


class IncidentsOut(BaseModel):
    incidents: list[IncidentOut] = Field(description="Newest first, at most `limit`.")
    counts: AlertCounts = Field(description="Incidents per status (of the model, when one is named).")
