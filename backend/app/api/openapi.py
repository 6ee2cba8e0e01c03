"""Every status a route can answer, in its OpenAPI responses, derived in one pass.

What a route is decides what it documents, so a new route needs no list here:

- a request body: 413 (``MAX_BODY_BYTES``) and 415 (not JSON); FastAPI adds
  the 422 wherever it validates input;
- a role it needs (``app.api.auth.required_role``): 401, and 403 on unsafe
  routes (a key of the lower role, or a cross-site cookie request); a route
  open to everyone gets an empty security requirement, so the docs say a
  credential is optional there rather than required;
- under ``/api/v1``: 429 (rate limit) with ``Retry-After``;
- a dependency on the database session: 503 with ``Retry-After``; a route that
  answers 503 for another reason (scoring before the registry is read, a full
  write queue) declares it, and gets the same header and body.

These answers are ``Problem`` bodies; statuses a route declares itself (its
404s and 409s) keep their description and get the schema when they have none.
Response examples and the 422 body come from ``examples.document`` first.

Operation ids are the route function's name in camelCase (``list_alerts`` →
``listAlerts``), so generated clients get readable, stable method names; a
test holds them unique. Renaming a route function renames its operation.

The live channel's messages (``app.schemas.live``) are published as
``components/schemas/LiveMessage`` (a union told apart by ``type``) and its
members, for clients to generate types from; OpenAPI has no place for a
WebSocket route itself.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from app.api import examples
from app.api.auth import required_role, route_path
from app.api.deps import get_session
from app.core.config import Settings
from app.core.middleware import API_PREFIX
from app.schemas.errors import Problem
from app.schemas.live import LIVE_MESSAGE
from app.schemas.scoring import RowsIn

REF_TEMPLATE = "#/components/schemas/{model}"

_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
_CHALLENGE = {"WWW-Authenticate": {"description": "How to authenticate.", "schema": {"type": "string"}}}
_TEXT = {
    "401": "No valid credential: send an API key as X-API-Key or Authorization: Bearer, "
    "or the session cookie from POST /api/v1/auth/session.",
    "403": "The credential's role may not do this, or a cookie request came from another site.",
    "413": "The body is larger than MAX_BODY_BYTES.",
    "415": "The body is not JSON: send Content-Type: application/json.",
    "429": "Too many requests from this key or address; wait Retry-After seconds.",
    "503": "The database is unavailable or the model registry not read yet; retry after Retry-After seconds.",
}
_HEADERS = {"401": _CHALLENGE, "429": _RETRY_AFTER, "503": _RETRY_AFTER}


def operation_id(route: APIRoute) -> str:
    """The route function's name in camelCase: ``predict_batch`` → ``predictBatch``."""
    head, *rest = route.name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _calls(dependant) -> set:
    calls = {dependant.call}
    for sub in dependant.dependencies:
        calls |= _calls(sub)
    return calls


def _statuses(route: RouteContext, method: str, operation: dict, settings: Settings) -> list[str]:
    statuses = []
    if operation.get("requestBody"):
        statuses += ["413", "415"]
    path = route.path_format or ""
    if path.startswith(API_PREFIX + "/"):
        rule = route_path(route.original_route, path)  # a default-model alias: its twin's rule
        role = required_role(method.upper(), rule, settings.require_auth_for_reads)
        if role is not None:
            statuses += ["401", "403"] if method not in ("get", "head") else ["401"]
        elif operation.get("security"):
            operation["security"] = [{}, *operation["security"]]  # a credential is optional here
        statuses.append("429")
    if get_session in _calls(route.dependant):
        statuses.append("503")
    return statuses


def _add_problem(responses: dict, status: str) -> None:
    response = responses.setdefault(status, {"description": _TEXT.get(status, "")})  # keeps a declared text
    if status == "503" and "Retry-After" not in response["description"]:  # a declared text says it all
        response["description"] = f"{response['description']} {_TEXT['503']}".strip()
    if status in _HEADERS:
        response.setdefault("headers", {}).update(_HEADERS[status])
    media = response.setdefault("content", {}).setdefault("application/json", {})
    media.setdefault("schema", {"$ref": "#/components/schemas/Problem"})


def _document_live_messages(components: dict) -> None:
    live = LIVE_MESSAGE.json_schema(ref_template=REF_TEMPLATE, mode="serialization")
    for name, definition in live.pop("$defs").items():
        components.setdefault(name, definition)  # shared ones (StatsOut …) are the routes' own
    components["LiveMessage"] = {
        "title": "LiveMessage",
        "description": "A message of the live channel WS /ws/live, told apart by `type`.",
        **live,
    }


def _document_parsed_bodies(components: dict) -> None:
    """Bodies a route parses itself (``openapi_extra`` names them): their schemas, as FastAPI
    would have published them."""
    for model in (RowsIn,):
        found = model.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in found.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault(model.__name__, found)


def document(schema: dict, app: FastAPI, settings: Settings) -> dict:
    """Add examples, the 422 body, the problem responses and the live messages to ``schema``
    (idempotent)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" in components:
        return schema
    _document_parsed_bodies(components)  # first: the examples are set on them too
    schema = examples.document(schema)
    components["Problem"] = Problem.model_json_schema(ref_template=REF_TEMPLATE)
    _document_live_messages(components)
    routes = {
        (r.path_format, m.lower()): r
        for r in iter_route_contexts(app.routes)
        if isinstance(r.original_route, APIRoute)
        for m in r.methods or ()
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(routes[(path, method)], method, operation, settings):
                _add_problem(responses, status)
            for status, _response in responses.items():  # declared ones: 404, 409 …
                if status[0] in "45" and status != "422":
                    _add_problem(responses, status)
    return schema
