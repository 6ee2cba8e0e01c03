"""All routes of the public API, mounted under /api/v1."""

from fastapi import APIRouter

from app.api.routes import (
    alerts,
    explain,
    feedback,
    model,
    monitoring,
    ops,
    predict,
    predictions,
    simulator,
    stats,
)

api_router = APIRouter()
for module in (predict, explain, feedback, model, predictions, stats, monitoring, alerts, simulator, ops):
    api_router.include_router(module.router)
