"""Messages of the live channel ``WS /ws/live``: ``{"type": ..., "data": ...}``.

``LiveMessage`` is their union, told apart by ``type``. ``app.api.live``
builds every message it sends through these models, and ``app.api.openapi``
publishes them in the OpenAPI document's components, so clients can generate
types for the channel as for the REST routes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from app.schemas.common import IsoDatetime
from app.schemas.stats import StatsOut
from driftwatch_core.scenarios import SimulatorState


class DriftEvent(BaseModel):
    run_id: int = Field(description="The newest finished monitoring run: GET /drift has its results.")
    finished_at: IsoDatetime


class AlertsEvent(BaseModel):
    updated_at: IsoDatetime | None = Field(description="The newest alert change; null without alerts.")
    open: int = Field(description="Alerts open now.")


class NewestIncident(BaseModel):
    id: int = Field(description="GET /api/v1/incidents/{id} has it in full.")
    model: str
    status: Literal["open", "acknowledged", "resolved"]
    title: str
    severity: Literal["info", "warning", "critical"]
    opened_at: IsoDatetime
    resolved_at: IsoDatetime | None


class IncidentsEvent(BaseModel):
    updated_at: IsoDatetime | None = Field(description="The newest incident change (any model); null without one.")
    open: int = Field(description="Incidents open now (every model).")
    acknowledged: int = Field(description="Incidents acknowledged, not resolved yet.")
    resolved: int
    newest: NewestIncident | None = Field(description="The most recently opened incident; null without one.")


class ModelChange(BaseModel):
    id: int = Field(description="The newest model event: GET /api/v1/events lists them.")
    created_at: IsoDatetime
    model: str
    kind: str = Field(description="promoted, rolled_back, shadow, canary, retired, retrain_*, gate, registered …")
    version: str | None
    message: str


class DegradedEvent(BaseModel):
    since: IsoDatetime = Field(description="When polling the database first failed or stalled.")
    reason: str = Field(description="Why figures are frozen, e.g. `database unavailable`.")


class RecoveredEvent(BaseModel):
    since: IsoDatetime = Field(description="The `since` of the degraded message this ends.")
    at: IsoDatetime = Field(description="When polling worked again.")


class StatsMessage(BaseModel):
    """Every LIVE_PUSH_INTERVAL_S: what GET /api/v1/stats says."""

    type: Literal["stats"]
    data: StatsOut


class DriftMessage(BaseModel):
    """A newer monitoring run finished: reload drift, performance and alerts."""

    type: Literal["drift"]
    data: DriftEvent


class AlertsMessage(BaseModel):
    """The newest alert change or the open count moved: reload alerts."""

    type: Literal["alerts"]
    data: AlertsEvent


class IncidentsMessage(BaseModel):
    """An incident opened, changed or resolved (any model): reload incidents (and alerts)."""

    type: Literal["incidents"]
    data: IncidentsEvent


class SimulatorMessage(BaseModel):
    """The scenario or rate changed: what GET /api/v1/simulator says."""

    type: Literal["simulator"]
    data: SimulatorState


class ModelsMessage(BaseModel):
    """A model changed (a stage, a retrain, a gate decision): reload models, events and comparisons."""

    type: Literal["models"]
    data: ModelChange


class DegradedMessage(BaseModel):
    """The database is unreachable: figures are frozen. Sent at once to a client joining meanwhile."""

    type: Literal["degraded"]
    data: DegradedEvent


class RecoveredMessage(BaseModel):
    """The database answers again after a degraded message."""

    type: Literal["recovered"]
    data: RecoveredEvent


LiveMessage = Annotated[
    StatsMessage
    | DriftMessage
    | AlertsMessage
    | IncidentsMessage
    | SimulatorMessage
    | ModelsMessage
    | DegradedMessage
    | RecoveredMessage,
    Field(discriminator="type"),
]
LIVE_MESSAGE: TypeAdapter[LiveMessage] = TypeAdapter(LiveMessage)


def encode(message: BaseModel) -> dict:
    """A message as the JSON object sent over the socket."""
    return message.model_dump(mode="json")
