"""Pure-ASGI middleware every HTTP request passes before it reaches a route.

- ``RequestMetrics`` counts each request and times it by route template (the
  Prometheus ``driftwatch_http_*`` series), and puts the start time in
  ``scope["state"]["started"]`` (``request.state.started``) for the predict
  route's latency figure. An exception that escapes counts as a 500.
- ``BodyGuard`` keeps request bodies to what the routes can take: an unsafe
  request that carries a body must send JSON (``application/json`` or
  ``application/*+json``), else 415, unless its path is in ``UPLOAD_PATHS``
  (a multipart model registration); and a body may be at most
  ``max_body_bytes`` (``max_upload_bytes`` on an upload path). A larger ``Content-Length`` is
  refused with 413 before anything is read. A chunked JSON body (no length) is read here,
  before the route runs, and refused with 413 the moment it passes the limit: a route that
  takes no body never reads it, so it would act and answer as if none had come; it is
  never buffered beyond the limit. An upload's bytes are counted as the route reads them.

Both answer with problem bodies, like every other error of the API.
"""

from __future__ import annotations

import time

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.problems import problem_response

API_PREFIX = "/api/v1"
DOC_PATHS = frozenset({"/docs", "/openapi.json", "/docs/oauth2-redirect"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Paths whose bodies are uploads (multipart forms), not JSON; they get ``max_upload_bytes``.
UPLOAD_PATHS: frozenset[str] = frozenset({f"{API_PREFIX}/models"})


def route_template(scope: Scope) -> str:
    """The matched route's path template (bounded label values), prefix included."""
    route = scope.get("route")
    if route is None:  # FastAPI's own pages carry no route; anything else is a 404
        return scope["path"] if scope["path"] in DOC_PATHS else "unmatched"
    # Routes of included routers keep their own, unprefixed path.
    prefix = API_PREFIX if scope["path"].startswith(API_PREFIX + "/") else ""
    return route.path if route.path.startswith(prefix) else prefix + route.path


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        scope.setdefault("state", {})["started"] = started
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            metrics = scope["app"].state.driftwatch.metrics
            path = route_template(scope)
            metrics.child(metrics.requests, scope["method"], path, str(status)).inc()
            metrics.child(metrics.latency, scope["method"], path).observe(time.perf_counter() - started)


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: FastAPI re-raises an HTTPException met while reading a body
    (anything else would become a 400), so the app's handler answers the 413."""

    def __init__(self, limit: int, setting: str = "MAX_BODY_BYTES") -> None:
        self.limit = limit
        super().__init__(413, f"the body is larger than the limit of {limit} bytes ({setting})")

    async def respond(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem_response(self.status_code, self.detail)(scope, receive, send)


class BodyGuard:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app, self.limit, self.upload_limit = app, max_body_bytes, max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:  # no name or id has one, and PostgreSQL refuses it in a query
            await problem_response(404, "no such resource: a path cannot contain a NUL byte")(scope, receive, send)
            return
        upload = scope["path"] in UPLOAD_PATHS
        too_large = BodyTooLarge(self.upload_limit, "MAX_UPLOAD_BYTES") if upload else BodyTooLarge(self.limit)
        headers = Headers(scope=scope)
        length = headers.get("content-length", "")
        declared = int(length) if length.isdigit() else None
        if declared is not None and declared > too_large.limit:
            await too_large.respond(scope, receive, send)
            return
        if not declared and "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)  # no body
            return
        if scope["method"] in UNSAFE_METHODS and not upload and not is_json(headers.get("content-type")):
            sent = f"Content-Type {headers['content-type']!r}" if "content-type" in headers else "no Content-Type"
            detail = f"the body must be JSON: send Content-Type: application/json (got {sent})"
            await problem_response(415, detail)(scope, receive, send)
            return
        if declared is None and not upload:
            await self._read_first(scope, receive, send, too_large)
        else:
            await self._limited(scope, receive, send, too_large)

    async def _read_first(self, scope: Scope, receive: Receive, send: Send, too_large: BodyTooLarge) -> None:
        """Read a chunked body whole (at most the limit and one chunk), then run the app on it."""
        chunks, received = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > too_large.limit:
                await too_large.respond(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal body
            if body is None:
                return await receive()  # after the body: the disconnect
            message, body = body, None
            return message

        await self.app(scope, replay, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, too_large: BodyTooLarge) -> None:
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > too_large.limit:
                    raise too_large
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLarge as exc:  # read outside a route (no handler met it)
            if started:
                raise
            await exc.respond(scope, receive, send)
