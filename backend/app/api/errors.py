"""Every error the API answers, as a body that cannot fail to render.

- 422: a ``ValidationProblem`` naming each field; the offending value is
  echoed only when it is a scalar, cut to 200 characters, never raw bytes.
  A body that is not JSON at all (not UTF-8, nested too deeply, a number too
  long to convert) is a 422 ``json_invalid`` too, not FastAPI's bare 400.
- A ``DomainError`` from a service (``app.core.errors``): its kind decides
  the status (``DOMAIN_STATUS``: not found 404, conflict 409, busy 503 with
  ``Retry-After``), its ``detail`` and ``extra`` fields make the ``Problem``;
  ``Invalid`` (an uploaded table's column, a model's inputs) is a 422
  ``ValidationProblem`` naming each field.
  Routes do not catch them; this is the one place they become HTTP.
- Any ``HTTPException``: a ``Problem`` (``status``, ``title``, ``detail``),
  keeping its headers (``Retry-After``, ``WWW-Authenticate`` …). A 405 lists in
  ``Allow`` every method the path has, not only those of the first route.
- A lost or refused database connection (or an exhausted pool) on any route:
  503 with ``Retry-After``, logged here without credentials; the body names no
  host, port or driver.
- Anything else: a 500 problem, and the exception goes on to the server log.

``SafeJSONResponse`` escapes what UTF-8 cannot encode (a lone surrogate such
as ``"\\ud800"`` parsed from a JSON body) instead of failing while rendering.
"""

from __future__ import annotations

import logging
import math
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from app.core.errors import BadRequestBody, Busy, Conflict, DomainError, Invalid, NotFound
from app.core.problems import SafeJSONResponse, problem_response

log = logging.getLogger(__name__)

RETRY_DATABASE_S = 5
ECHO_LIMIT = 200
_SECRETS = ((re.compile(r"(password\s*=\s*)\S+", re.I), r"\1***"), (re.compile(r"(://[^:/@\s]*:)[^@\s]+@"), r"\1***@"))


def _echo(value: Any) -> Any:
    """The sent value as JSON can carry it, or None for what is not worth echoing."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN/Infinity
    if isinstance(value, str):
        return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return None  # bytes, containers and objects


def _describe(error: dict) -> dict:
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    message = error.get("msg", "")
    if error.get("type") == "json_invalid":  # loc holds a character offset, not a field
        loc, message = [], f"the body is not valid JSON: {error.get('ctx', {}).get('error', message)}"
    out = {"field": ".".join(loc) or "body", "message": message, "type": error.get("type", "value_error")}
    if "input" in error:
        out["input"] = _echo(error["input"])
    return out


def validation_problem(errors: list[dict]) -> SafeJSONResponse:
    described = [_describe(e) for e in errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in described[:5])
    return SafeJSONResponse({"detail": summary, "errors": described}, status_code=422)


async def validation_error(request: Request, exc: RequestValidationError) -> SafeJSONResponse:
    return validation_problem(list(exc.errors()))


def _unparsable(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return "it is not UTF-8"
    if isinstance(cause, RecursionError):
        return "it is nested too deeply"
    return "a number in it is too long" if "digits" in str(cause) else "it could not be parsed"


def _allowed_methods(request: Request) -> str:
    # Starlette's own Allow names only the first route matching the path.
    path = request.scope["path"]
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(path):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def http_error(request: Request, exc: HTTPException) -> SafeJSONResponse:
    status, detail, headers = exc.status_code, str(exc.detail), dict(exc.headers or {})
    # FastAPI turns every body-parsing failure but a JSONDecodeError into a bare 400.
    if status == 400 and isinstance(exc.__cause__, (ValueError, RecursionError)):
        return validation_problem(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body",),
                    "input": None,
                    "msg": "",
                    "ctx": {"error": _unparsable(exc.__cause__)},
                }
            ]
        )
    if status == 405:
        headers["Allow"] = _allowed_methods(request)
        detail = f"{request.method} is not allowed on {request.url.path}; allowed: {headers['Allow']}"
    elif status == 404 and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = f"nothing at {request.url.path}; /docs lists the routes"
    return problem_response(status, detail, headers)


DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    Busy: 503,
    Invalid: 422,
    BadRequestBody: 422,
}


def domain_status(kind: type[DomainError]) -> int | None:
    """The status of a kind of domain error (of its nearest mapped base class)."""
    return next((DOMAIN_STATUS[k] for k in kind.__mro__ if k in DOMAIN_STATUS), None)


async def domain_error(request: Request, exc: DomainError) -> SafeJSONResponse:
    if isinstance(exc, BadRequestBody):  # a body checked against the answering version's schema
        return validation_problem(exc.errors)
    if isinstance(exc, Invalid):
        return validation_problem(
            [{"loc": (field,), "msg": message, "type": "invalid"} for field, message in exc.errors]
        )
    status = domain_status(type(exc))
    if status is None:
        raise exc  # a DomainError of no mapped kind is a bug: 500, logged
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Busy) else None
    return problem_response(status, exc.detail, headers, **exc.extra)


def _redacted(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [""])[0][:300]
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return f"{type(orig).__name__}: {text}"


async def database_error(request: Request, exc: Exception) -> SafeJSONResponse:
    transient = isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )
    if not transient:
        raise exc  # a bug, not an outage: the server error handler answers 500 and logs it
    log.warning("%s %s: database unavailable (%s)", request.method, request.url.path, _redacted(exc))
    return problem_response(
        503, "the database is unavailable; retry shortly", headers={"Retry-After": str(RETRY_DATABASE_S)}
    )


async def server_error(request: Request, exc: Exception) -> SafeJSONResponse:
    return problem_response(500, "internal error; the server log has the details")


def install(app: FastAPI) -> None:
    """Register every handler above on ``app``."""
    # Starlette types a handler's exception as Exception; each of these takes its own kind.
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(Exception, server_error)
