"""Routes of one model, written once under ``/models/{name}/…``, with an alias for the default model.

``ModelRoutes`` is an ``APIRouter`` whose ``get``/``post`` register a handler at
``/models/{name}<path>`` and, unless ``alias=False``, the same handler at ``<path>``
with ``name`` taken from ``DEFAULT_MODEL`` (``Settings.default_model``). The alias is
the twin's implementation called with the default model's name, so both answer the
same request the same way, errors included; its OpenAPI operation says so in its
description and in ``x-alias-of``, and its operation id is the twin's with
``ForDefaultModel`` (``getDrift`` → ``getDriftForDefaultModel``). Authorization follows
the twin (``app.api.auth`` reads ``x-alias-of``).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from app.core.middleware import API_PREFIX

MODEL_PREFIX = "/models/{name}"
ALIAS_OF = "x-alias-of"

#: A registered model's name, as a path parameter.
ModelName = Annotated[
    str, Path(max_length=64, description="A registered model's name (`GET /api/v1/models` lists them).")
]


async def default_model(request: Request) -> str:
    """The model an unscoped route is about: ``DEFAULT_MODEL``."""
    return request.app.state.driftwatch.default_model


DefaultModel = Annotated[str, Depends(default_model)]


def _alias_endpoint(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` with its ``name`` parameter filled from ``DEFAULT_MODEL`` instead of the path."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    signature = inspect.signature(endpoint)
    if "name" not in signature.parameters:
        raise TypeError(f"{endpoint.__name__} takes no model name: it cannot have a default-model alias")
    parameters = [
        p.replace(annotation=DefaultModel if p.name == "name" else hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
    ]
    if inspect.iscoroutinefunction(endpoint):

        async def alias(*args: Any, **kwargs: Any) -> Any:
            return await endpoint(*args, **kwargs)
    else:

        def alias(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]  # FastAPI runs it in a thread
            return endpoint(*args, **kwargs)

    functools.update_wrapper(alias, endpoint)
    aliased = signature.replace(parameters=parameters, return_annotation=hints.get("return", signature.empty))
    alias.__signature__ = aliased  # type: ignore[attr-defined]
    alias.__name__ = f"{endpoint.__name__}_for_default_model"
    return alias


class ModelRoutes(APIRouter):
    """An ``APIRouter`` for the routes of one model (see the module docstring)."""

    def model_route(
        self, method: str, path: str, *, alias: bool = True, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            scoped = MODEL_PREFIX + path
            self.add_api_route(scoped, endpoint, methods=[method], **kwargs)
            if alias:
                twin = f"{method} {API_PREFIX}{scoped}"
                summary = (endpoint.__doc__ or "").strip().splitlines()[0] if endpoint.__doc__ else ""
                extra = {**(kwargs.pop("openapi_extra", None) or {}), ALIAS_OF: f"{API_PREFIX}{scoped}"}
                self.add_api_route(
                    path or "/",
                    _alias_endpoint(endpoint),
                    methods=[method],
                    description=f"`{twin}` for the default model (`DEFAULT_MODEL`): the same handler, "
                    f"the same answers. {summary}",
                    openapi_extra=extra,
                    **kwargs,
                )
            return endpoint

        return register

    def model_get(self, path: str, **kwargs: Any):
        return self.model_route("GET", path, **kwargs)

    def model_post(self, path: str, **kwargs: Any):
        return self.model_route("POST", path, **kwargs)


def alias_target(route: Any) -> str | None:
    """The ``/api/v1/models/{name}/…`` path a route is the default model's alias of, or None."""
    extra = getattr(route, "openapi_extra", None) or {}
    return extra.get(ALIAS_OF)
