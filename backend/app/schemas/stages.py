"""Stages (champion, challenger in shadow or canary), their changes, the events and the comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

VersionStage = Literal["champion", "shadow", "canary", "previous", "retired", "candidate"]


class StageChangeIn(BaseModel):
    reason: str = Field(default="", max_length=500, description="Why: kept with the event on the timeline.")


class CanaryIn(StageChangeIn):
    share: float = Field(gt=0, lt=1, description="Share of requests (by entity id) the canary answers, e.g. 0.2.")


class StagesOut(BaseModel):
    champion: str | None = Field(description="The version that answers.")
    challenger: str | None = Field(description="The version tried beside it, if any.")
    mode: Literal["shadow", "canary"] | None = Field(description="How the challenger is tried.")
    share: float | None = Field(description="The canary's share of requests.")
    previous_champion: str | None = Field(description="What a rollback serves again.")
    generation: int = Field(description="Bumped by every change; each backend process switches within seconds.")
    changed_at: datetime | None


class EventOut(BaseModel):
    id: int
    created_at: datetime
    model: str
    kind: str = Field(
        description="registered, promoted, rolled_back, shadow, canary, retired, retrain_queued, retrain_started, "
        "retrain_registered, retrain_failed, gate …"
    )
    version: str | None
    actor: str = Field(description="Who: an API key id, `worker` (the promotion gate), `policy`, `startup`.")
    message: str
    details: dict[str, Any]


class StageChangeOut(BaseModel):
    model: str
    stages: StagesOut
    event: EventOut = Field(description="The change as the timeline records it.")


class ComparisonPoint(BaseModel):
    computed_at: datetime
    champion_version: str
    challenger_version: str
    mode: Literal["shadow", "canary"]
    n_paired: int = Field(description="Requests both versions scored in the window.")
    n_labelled: int = Field(description="Of those, how many have a label: what realized performance is judged on.")
    details: dict[str, Any] = Field(
        description="Per version (`champion`, `challenger`): score distribution, prediction drift against its own "
        "reference, realized and estimated performance; `agreement` of decisions; `auc_diff` (challenger minus "
        "champion) with its bootstrap interval; `gate`, the promotion gate's decision and why."
    )


class ComparisonOut(BaseModel):
    model: str
    stages: StagesOut
    points: list[ComparisonPoint] = Field(description="Oldest first.")
