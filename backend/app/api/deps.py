"""Request dependencies as Annotated aliases, so tests can hand in their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from app.core.ratelimit import identify
from app.services.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.driftwatch


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.session_factory() as session:
        yield session


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


async def get_actor(request: Request) -> str:
    """Who makes a change, as events record it: the caller's key id (``admin:3f2a…``)."""
    principal = identify(request.scope, request.app.state.security).principal
    return f"{principal.role}:{principal.key_id}" if principal is not None else "anonymous"


ActorDep = Annotated[str, Depends(get_actor)]
