"""The Driftwatch backend: FastAPI app factory.

    uvicorn app.main:app --port 8000
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.api import live
from app.api import examples
from app.api.auth import authorize
from app.api.main import api_router
from app.api.routes import ops
from app.core.config import Settings, get_settings
from app.core.logging import configure_logging
from app.core.ratelimit import CallerMiddleware, Limiter, Limits
from app.core.request_id import RequestIdMiddleware
from app.core.security import Security, split_keys
from app.core.state import AppState

API_PREFIX = "/api/v1"
_DOC_PATHS = frozenset({"/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"})
log = logging.getLogger("app")


def _safe(value):
    # JSON has no NaN/Infinity: echo such inputs back as strings.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _describe(error: dict) -> dict:
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    out = {"field": ".".join(loc) or "body", "message": error.get("msg", ""), "type": error.get("type")}
    if "input" in error and not isinstance(error["input"], (dict, list)):
        out["input"] = _safe(error["input"])
    return out


def _route_template(scope: dict) -> str:
    """The matched route's path template (bounded label values), prefix included."""
    route = scope.get("route")
    if route is None:  # FastAPI's own pages carry no route; anything else is a 404
        return scope["path"] if scope["path"] in _DOC_PATHS else "unmatched"
    # Routes of included routers keep their own, unprefixed path.
    prefix = API_PREFIX if scope["path"].startswith(API_PREFIX + "/") else ""
    return route.path if route.path.startswith(prefix) else prefix + route.path


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_describe(e) for e in exc.errors()]
    too_many = [e for e in errors if e["type"] == "too_long" and e["field"] in ("transactions", "items")]
    if too_many:
        return JSONResponse(
            status_code=413,
            content={"detail": f"{too_many[0]['field']}: {too_many[0]['message']}"},
        )
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return JSONResponse(status_code=422, content={"detail": summary, "errors": errors})


def create_app(settings: Settings | None = None, state: AppState | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    security, limits = Security(settings), Limits.from_settings(settings)
    if not security.keys:
        log.warning("no API keys configured: every unsafe route answers 401 (set ADMIN_API_KEYS)")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.driftwatch = state or AppState.create(settings)
        app.state.driftwatch.start()
        yield
        app.state.driftwatch.stop()

    app = FastAPI(
        title="Driftwatch API",
        version="1.0.0",
        summary="Real-time fraud scoring with drift and performance monitoring.",
        lifespan=lifespan,
    )
    app.state.security, app.state.limits, app.state.limiter = security, limits, Limiter()
    app.add_exception_handler(RequestValidationError, validation_error)
    # Added innermost first: requests pass request id, host check, CORS, caller check.
    app.add_middleware(CallerMiddleware, security=security, limits=limits, limiter=app.state.limiter)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted(security.allowed_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Content-Type", "X-API-Key", "Authorization", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=split_keys(settings.allowed_hosts))
    app.add_middleware(RequestIdMiddleware)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return JSONResponse(
                status_code=413,
                content={"detail": f"body of {length} bytes exceeds {settings.max_body_bytes}"},
            )
        request.state.started = started = time.perf_counter()
        response = await call_next(request)
        path = _route_template(request.scope)
        metrics = request.app.state.driftwatch.metrics
        metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        metrics.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response

    app.include_router(api_router, prefix=API_PREFIX, dependencies=[Depends(authorize)])
    default_openapi = app.openapi
    app.openapi = lambda: examples.document(default_openapi())  # examples, our 422 body
    app.include_router(live.router)
    # Probes and scrapers conventionally look at the root as well.
    app.include_router(ops.router, include_in_schema=False, dependencies=[Depends(authorize)])
    return app


app = create_app()
