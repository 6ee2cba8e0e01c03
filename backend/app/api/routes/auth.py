"""Dashboard sessions: exchange a key for an httpOnly cookie, see who is signed in, sign out.

The cookie is httpOnly (scripts never see it) and SameSite=Strict (no other
site's page makes the browser send it); the token inside names the role and
the key_id, never the key. Sign-in attempts are limited per client address.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, HTTPException, Request, Response

from app.api.auth import UNAUTHENTICATED, same_origin
from app.core.ratelimit import client_address, identify
from app.core.security import SESSION_COOKIE, Principal
from app.schemas.auth import SessionOut, SignIn

router = APIRouter(tags=["auth"])


def _session_out(request: Request, principal: Principal | None) -> SessionOut:
    return SessionOut(
        authenticated=principal is not None,
        role=principal.role if principal else None,
        key_id=principal.key_id if principal else None,
        method=principal.method if principal else None,
        expires_at=principal.expires_at if principal else None,
        reads_require_auth=request.app.state.security.settings.require_auth_for_reads,
    )


@router.get("/auth/session", response_model=SessionOut)
async def get_session(request: Request):
    """Who is calling: the role of the key or session cookie sent, if any."""
    return _session_out(request, identify(request.scope, request.app.state.security).principal)


@router.post(
    "/auth/session",
    response_model=SessionOut,
    responses={
        401: {"description": "The key is not valid."},
        403: {"description": "A page on another origin tried to sign in."},
    },
)
async def sign_in(body: SignIn, request: Request, response: Response):
    """Exchange a key for a session cookie (httpOnly, SameSite=Strict) for the dashboard."""
    security = request.app.state.security
    if request.headers.get("origin") and not same_origin(request, security.allowed_origins):
        raise HTTPException(403, "cross-site sign-in refused: the Origin is not in CORS_ORIGINS")
    wait = request.app.state.limiter.hit(request.app.state.limits.sign_in, "sign-in:" + client_address(request.scope))
    if wait is not None:
        seconds = math.ceil(wait)
        raise HTTPException(
            429, f"too many sign-in attempts; retry in {seconds} s", headers={"Retry-After": str(seconds)}
        )
    principal = security.keys.identify(body.key)
    if principal is None:
        raise HTTPException(
            401, "that key is not valid: use ADMIN_API_KEYS from the project's .env", headers=UNAUTHENTICATED
        )
    token, session = security.sessions.issue(principal)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(security.sessions.ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=security.settings.session_cookie_secure,
    )
    return _session_out(request, session)


@router.delete("/auth/session", status_code=204, response_class=Response)
async def sign_out(request: Request):
    """End the dashboard session: the cookie is cleared."""
    response = Response(status_code=204)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.security.settings.session_cookie_secure,
    )
    return response
