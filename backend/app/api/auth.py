"""Authorization of every API route, as one router-level dependency.

The rule, by method and route:

- reads (GET, HEAD) are open unless ``REQUIRE_AUTH_FOR_READS=1``; liveness,
  readiness and ``GET /auth/session`` stay open even then;
- scoring, explaining and labelling (``PREDICT_ROUTES``) need the ``predict``
  role; signing in and out (``OPEN_ROUTES``) need nothing;
- every other unsafe route needs ``admin``, so a new route is protected by
  default.

A request authenticated by the session cookie is one a browser may send on
its own, so unsafe ones must also prove they come from our page: a JSON
content type (a cross-site form cannot send one without a CORS preflight) and
``Sec-Fetch-Site: same-origin`` or an ``Origin`` in ``CORS_ORIGINS``.

401 means no valid credential, 403 a credential without the needed role (or a
cross-site cookie request). The security schemes are declared here so that
``/docs`` has an Authorize button.
"""

from __future__ import annotations

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPBearer

from app.api.scoped import alias_target
from app.core.middleware import API_PREFIX, UPLOAD_PATHS, is_json
from app.core.ratelimit import identify
from app.core.security import API_KEY_HEADER, SESSION_COOKIE, Principal, Role

#: A default-model alias (``/predict``) needs what its ``/models/{name}/…`` twin needs.
PREDICT_ROUTES = frozenset(
    {
        "/models/{name}/predict",
        "/models/{name}/predict/batch",
        "/models/{name}/explain",
        "/models/{name}/feedback",
    }
)
OPEN_ROUTES = frozenset({"/auth/session"})
OPEN_READS = frozenset({"/health", "/ready", "/auth/session"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_key = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    scheme_name="ApiKey",
    description="An admin or predict key (ADMIN_API_KEYS / PREDICT_API_KEYS).",
)
_bearer = HTTPBearer(
    auto_error=False, scheme_name="Bearer", description="The same key as `Authorization: Bearer <key>`."
)
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="Session",
    description="The dashboard's session, from POST /api/v1/auth/session.",
)

UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="driftwatch"'}


def route_path(route: object, fallback: str) -> str:
    """The path a route's rule is written for: its own, or its twin's when it is a default-model alias."""
    path: str = alias_target(route) or getattr(route, "path", None) or fallback
    return path.removeprefix(API_PREFIX)


def _route_path(request: Request) -> str:
    return route_path(request.scope.get("route"), request.scope["path"])


def required_role(method: str, path: str, reads_need_auth: bool) -> Role | None:
    """The role a request needs, or None when it is open."""
    if method in SAFE_METHODS:
        return "predict" if reads_need_auth and path not in OPEN_READS else None
    if path in OPEN_ROUTES:
        return None
    return "predict" if path in PREDICT_ROUTES else "admin"


def same_origin(request: Request, allowed_origins: frozenset[str]) -> bool:
    """The browser says the request comes from our own page, or from a listed origin."""
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    return request.headers.get("origin") in allowed_origins


def check_cookie_request(request: Request, allowed_origins: frozenset[str]) -> None:
    """Refuse an unsafe cookie-authenticated request that a foreign page could have sent.

    A body must be JSON (a page elsewhere cannot send that without a preflight); an
    upload path (a model registration) takes a multipart form, which any page could
    post, so there only the origin check below stands, as it does for every request.
    """
    content_type = request.headers.get("content-type")
    upload = request.scope["path"] in UPLOAD_PATHS and _is_multipart(content_type)
    if not upload and not is_json(content_type):
        raise HTTPException(403, "a request signed in by cookie must send Content-Type: application/json")
    if not same_origin(request, allowed_origins):
        raise HTTPException(403, "cross-site request refused: the Origin is not in CORS_ORIGINS")


def _is_multipart(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "multipart/form-data"


async def authorize(
    request: Request,
    _api_key: str | None = Security(_key),
    _bearer_token: object = Security(_bearer),
    _session: str | None = Security(_cookie),
) -> Principal | None:
    """Let the request through, or raise 401/403 saying what is missing."""
    security = request.app.state.security
    identity = identify(request.scope, security)
    role = required_role(request.method, _route_path(request), security.settings.require_auth_for_reads)
    if role is None:
        return identity.principal
    principal = identity.principal
    if principal is None:
        if identity.problem:
            detail = identity.problem
        elif not security.keys:
            detail = "no API keys are configured on this server: set ADMIN_API_KEYS (./scripts/setup.sh does)"
        else:
            detail = f"this needs the {role} role: send an API key as {API_KEY_HEADER} or sign in"
        raise HTTPException(401, detail, headers=UNAUTHENTICATED)
    if not principal.may(role):
        raise HTTPException(403, f"this needs the {role} role; key {principal.key_id} has {principal.role}")
    if principal.method == "session" and request.method not in SAFE_METHODS:
        check_cookie_request(request, security.allowed_origins)
    return principal
