"""The interactive API docs at ``/docs``, served whole by this process so they work offline.

FastAPI's own ``/docs`` page loads Swagger UI's JavaScript and CSS from a CDN, so
without internet it is a blank page. This is FastAPI's recipe for self-hosting
them ("Custom Docs UI Static Assets"): the app is created with ``docs_url=None``
and ``redoc_url=None``, Swagger UI's files are served at ``/docs-assets``, and
``/docs`` and its OAuth2 redirect page are the pages FastAPI would serve (its
title, its Swagger UI parameters, the root path honoured) pointing at those
files. ``/openapi.json`` is untouched. ReDoc (``/redoc``) is not served.

The files come from the ``fastapi-offline`` package's ``static`` folder (Swagger
UI 5, its favicon); only the files are used, not its app factory. The
``swagger-ui-bundle`` package would not do: its latest release ships Swagger UI
4.15, which refuses FastAPI's OpenAPI 3.1 document ("Unable to render this
definition").
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
ASSETS_URL = "/docs-assets"
#: swagger-ui-bundle.js, swagger-ui.css and favicon.png (and ReDoc's script, unused).
ASSETS = files("fastapi_offline") / "static"


def install(app: FastAPI) -> None:
    """Serve ``/docs``, its OAuth2 redirect page and Swagger UI's files on ``app``
    (created with ``docs_url=None``)."""
    assert app.openapi_url, "the docs read the OpenAPI document"
    openapi_url = app.openapi_url
    app.mount(ASSETS_URL, StaticFiles(directory=str(ASSETS)), name="docs-assets")

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        assets = root_path + ASSETS_URL
        redirect = app.swagger_ui_oauth2_redirect_url
        return get_swagger_ui_html(
            openapi_url=root_path + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=root_path + redirect if redirect else None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    # Plain routes, as FastAPI adds its own (GET and HEAD, outside the OpenAPI document).
    app.add_route(DOCS_URL, swagger_ui_html, include_in_schema=False)
    if app.swagger_ui_oauth2_redirect_url:
        app.add_route(app.swagger_ui_oauth2_redirect_url, swagger_ui_redirect, include_in_schema=False)
