"""The Driftwatch backend: the FastAPI app factory, at the top of the layers.

uvicorn app.main:app --port 8000

``create_app(settings, runtime)`` builds the app around a ``Runtime`` (``app.wiring``
builds one from the settings unless a test hands in its own) and starts and stops its
background parts in the app's lifespan.
"""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.datastructures import Default
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.api import docs, errors, live, openapi
from app.api.auth import authorize
from app.api.main import api_router
from app.api.routes import ops
from app.core.config import Settings, get_settings
from app.core.logging import configure_logging
from app.core.metrics import mark_process_dead
from app.core.middleware import API_PREFIX, BodyGuard, RequestMetrics
from app.core.problems import SafeJSONResponse
from app.core.ratelimit import CallerMiddleware, Limiter, Limits
from app.core.request_id import RequestIdMiddleware
from app.core.security import Security, split_keys
from app.services.runtime import Runtime
from app.wiring import Lifecycle, build_runtime

log = logging.getLogger("app")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format, settings.access_log)
    security, limits = Security(settings), Limits.from_settings(settings)
    if not security.keys:
        log.warning("no API keys configured: every unsafe route answers 401 (set ADMIN_API_KEYS)")

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.driftwatch = runtime or build_runtime(settings)
        lifecycle = Lifecycle(app.state.driftwatch)
        lifecycle.start()
        if settings.gc_freeze:
            # Everything loaded so far (the libraries) lives as long as the process: out of the
            # collector's sight, a full collection no longer walks it while requests wait.
            gc.collect()  # what start-up left behind is freed first, not frozen
            gc.freeze()
        yield
        lifecycle.stop()
        if settings.gc_freeze:
            gc.unfreeze()  # what start-up loaded may be collected again at exit
        mark_process_dead()

    app = FastAPI(
        title="Driftwatch API",
        version="1.0.0",
        summary="Serve and monitor registered models: scoring, drift, performance, incidents, stages.",
        lifespan=lifespan,
        # Every JSON body renders, whatever it echoes; Default() keeps FastAPI's fast
        # path (pydantic's own JSON) for routes with a response model.
        default_response_class=Default(SafeJSONResponse),
        generate_unique_id_function=openapi.operation_id,  # listAlerts, predictBatch …
        # /docs is served by app.api.docs from a package, not from a CDN, so it works offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.security, app.state.limits, app.state.limiter = security, limits, Limiter()
    errors.install(app)
    # Added innermost first: requests pass request id, host check, CORS, caller check, body guard.
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes)
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

    app.add_middleware(RequestMetrics)  # outermost: every answer is counted, 400 and 429 too

    app.include_router(api_router, prefix=API_PREFIX, dependencies=[Depends(authorize)])
    default_openapi = app.openapi
    # FastAPI's documented way to extend the document: examples and problem responses.
    app.openapi = lambda: openapi.document(default_openapi(), app, settings)  # type: ignore[method-assign]
    app.include_router(live.router)
    docs.install(app)
    # Probes and scrapers conventionally look at the root as well.
    app.include_router(ops.router, include_in_schema=False, dependencies=[Depends(authorize)])
    return app


app = create_app()
