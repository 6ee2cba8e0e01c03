"""Acting on a model: promote, roll back, try a challenger in shadow or as a canary, retire.

Admin only (every unsafe route outside the predict routes is). Each change is
made in one transaction with the model's row locked, is recorded as an event
(timeline, live channel) and reaches every backend process within
``ROUTING_POLL_S`` (1 s by default) without a restart; requests in flight finish
on the version they started with.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query

from app.api.deps import ActorDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.common import UtcDatetime
from app.schemas.stages import CanaryIn, ComparisonOut, EventOut, StageChangeIn, StageChangeOut
from app.services import stages as service
from driftwatch_core import stages

router = ModelRoutes(tags=["stages"])

_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such model or version."},
    409: {"description": "The model's stages do not allow it (the answer says why)."},
}
_VERSION = "/models/{name}/versions/{version}"
Reason = Annotated[StageChangeIn, Body(description="Optional: why (kept with the event).")]
NO_REASON = StageChangeIn()


def _why(body: StageChangeIn) -> str:
    return body.reason


@router.post(f"{_VERSION}/promote", response_model=StageChangeOut, responses=_REFUSED)
def promote_version(name: str, version: str, session: SessionDep, actor: ActorDep, body: Reason = NO_REASON):
    """Make this version the champion: it answers every request from now on; the current champion
    becomes the previous one (what a rollback serves again)."""
    with session.begin():
        return service.change(
            session, name, lambda: stages.promote(session, name, version, actor=actor, reason=_why(body))
        )


@router.post("/models/{name}/rollback", response_model=StageChangeOut, responses=_REFUSED)
def rollback_model(name: str, session: SessionDep, actor: ActorDep, body: Reason = NO_REASON):
    """Serve the previous champion again (a second rollback undoes the first)."""
    with session.begin():
        return service.change(session, name, lambda: stages.rollback(session, name, actor=actor, reason=_why(body)))


@router.post(f"{_VERSION}/rollback", response_model=StageChangeOut, responses=_REFUSED)
def rollback_version(name: str, version: str, session: SessionDep, actor: ActorDep, body: Reason = NO_REASON):
    """Roll this version back to the previous champion; 409 unless it is the champion now (a stale click
    never rolls back someone else's promotion)."""
    with session.begin():

        def act():
            current = stages.routings(session).get(name)
            if current is not None and current.champion != version:
                raise stages.StageConflict(
                    f"{version} is not the champion of {name!r} (the champion is {current.champion})"
                )
            return stages.rollback(session, name, actor=actor, reason=_why(body))

        return service.change(session, name, act)


@router.post(f"{_VERSION}/shadow", response_model=StageChangeOut, responses=_REFUSED)
def shadow_version(name: str, version: str, session: SessionDep, actor: ActorDep, body: Reason = NO_REASON):
    """Try this version in shadow: it scores every request after the answer and never answers;
    it replaces the current challenger."""
    with session.begin():
        return service.change(
            session,
            name,
            lambda: stages.challenge(session, name, version, stages.SHADOW, actor=actor, reason=_why(body)),
        )


@router.post(f"{_VERSION}/canary", response_model=StageChangeOut, responses=_REFUSED)
def canary_version(name: str, version: str, body: CanaryIn, session: SessionDep, actor: ActorDep):
    """Let this version answer a share of requests, the same entity id (`X-Entity-ID`) always the same
    way; the champion scores those requests in shadow, so both are compared on every request."""
    with session.begin():
        return service.change(
            session,
            name,
            lambda: stages.challenge(
                session, name, version, stages.CANARY, share=body.share, actor=actor, reason=body.reason
            ),
        )


@router.post(f"{_VERSION}/retire", response_model=StageChangeOut, responses=_REFUSED)
def retire_version(name: str, version: str, session: SessionDep, actor: ActorDep, body: Reason = NO_REASON):
    """Stop a version: it no longer challenges nor is rolled back to. The champion cannot be retired."""
    with session.begin():
        return service.change(
            session, name, lambda: stages.retire(session, name, version, actor=actor, reason=_why(body))
        )


@router.model_get("/events", response_model=list[EventOut], responses={404: _REFUSED[404]})
def list_events(
    name: ModelName,
    session: SessionDep,
    since: Annotated[UtcDatetime | None, Query(description="ISO 8601, inclusive (UTC without an offset)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
):
    """What happened to this model, newest first: registrations, stage changes, retrains, gate decisions,
    traffic switches, incidents opened and resolved (the timeline its charts mark)."""
    return service.events(session, name, since, limit)


@router.get("/models/{name}/comparison", response_model=ComparisonOut, responses={404: _REFUSED[404]})
def get_comparison(name: str, session: SessionDep, minutes: Annotated[float, Query(gt=0, le=7 * 24 * 60)] = 60):
    """Champion against challenger, cycle by cycle, on the same requests: each version's score
    distribution, prediction drift, realized (same labelled rows) and estimated performance, their
    agreement, and the ROC-AUC difference with its 95% bootstrap interval."""
    return service.comparison(session, name, minutes)
