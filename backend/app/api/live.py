"""WS /ws/live: the dashboard's live channel."""

from fastapi import APIRouter

router = APIRouter()
