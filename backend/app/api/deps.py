"""Request dependencies as Annotated aliases, so tests can hand in their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from app.core.state import AppState
from app.registry.serving import ServedModel
from driftwatch_core.defaults import DEFAULT_MODEL


async def get_state(request: Request) -> AppState:
    return request.app.state.driftwatch


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.session_factory() as session:
        yield session


NO_MODEL = "no model is loaded: train one with ./scripts/train_model.sh and restart; the server log says why"


async def get_champion(state: StateDep) -> ServedModel:
    """The fraud model's champion; 503 when there is none to serve."""
    try:
        return state.champion(DEFAULT_MODEL)
    except Exception:  # noqa: BLE001 - no champion, whatever the cause
        # The reason (a path, a parse error) is in the server log, not in the answer.
        raise HTTPException(503, detail=NO_MODEL) from None


SessionDep = Annotated[Session, Depends(get_session)]
#: Who a request is about (a card, a customer): a canary answers the same entity the same way every time.
EntityDep = Annotated[
    str | None,
    Header(
        alias="X-Entity-ID",
        max_length=128,
        description="Who the request is about (a card, a customer); a canary answers the same id the same way "
        "every time. Without it, each request is assigned at random.",
    ),
]
ChampionDep = Annotated[ServedModel, Depends(get_champion)]


async def get_actor(request: Request) -> str:
    """Who makes a change, as events record it: the caller's key id (``admin:3f2a…``)."""
    from app.core.ratelimit import identify  # the identity the authorization already checked

    principal = identify(request.scope, request.app.state.security).principal
    return f"{principal.role}:{principal.key_id}" if principal is not None else "anonymous"


ActorDep = Annotated[str, Depends(get_actor)]
