"""All routes of the public API, mounted under /api/v1."""

from fastapi import APIRouter

from app.api.routes import (
    alerts,
    auth,
    explain,
    feedback,
    incidents,
    models,
    monitoring,
    ops,
    predict,
    predictions,
    retrain,
    simulator,
    stages,
    stats,
)

ROUTE_MODULES = (
    predict,
    explain,
    feedback,
    models,
    stages,
    retrain,
    predictions,
    stats,
    monitoring,
    alerts,
    incidents,
    simulator,
    auth,
    ops,
)

api_router = APIRouter()
for module in ROUTE_MODULES:
    api_router.include_router(module.router)
