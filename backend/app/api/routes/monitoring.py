"""Monitoring results written by the worker: drift per feature, summaries, performance."""

from fastapi import APIRouter

router = APIRouter(tags=["monitoring"])
