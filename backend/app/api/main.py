"""All routes of the public API, mounted under /api/v1."""

from fastapi import APIRouter

from app.api.routes import explain, feedback, model, ops, predict, predictions, stats

api_router = APIRouter()
for module in (predict, explain, feedback, model, predictions, stats, ops):
    api_router.include_router(module.router)
