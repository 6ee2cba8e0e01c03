"""Alerts raised by the monitoring worker and their open → acknowledged → resolved lifecycle."""

from fastapi import APIRouter

router = APIRouter(tags=["alerts"])
