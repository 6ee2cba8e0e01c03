"""What groups alerts into incidents, and the incident words both the worker and the API write.

An alert's kind gives its incident's cause; the worker groups each cycle's new
alerts by cause (``worker.incidents``) and the API acknowledges and resolves
incidents by hand (``app.services.incidents``). Both record the same timeline
events, so their wording lives here once. Event messages are chart labels:
short.
"""

from __future__ import annotations

from datetime import datetime

CAUSE_OF_KIND = {
    "feature_drift": "drift",
    "prediction_drift": "drift",
    "dataset_drift": "drift",
    "performance": "performance",
    "no_traffic": "no_traffic",
    "monitoring_failed": "monitoring_failed",
}
CAUSES = ("drift", "performance", "no_traffic", "monitoring_failed")
#: The model events an incident records on the timeline.
OPENED, RESOLVED = "incident_opened", "incident_resolved"
_NOUN = {
    "drift": "Drift",
    "performance": "Quality drop",
    "no_traffic": "No traffic",
    "monitoring_failed": "Monitoring failure",
}
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


def duration(seconds: float) -> str:
    """A span for people: ``40 s``, ``6 min``, ``2 h 5 min``, ``3 d 4 h``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def resolved_message(cause: str, opened_at: datetime, resolved_at: datetime) -> str:
    """``Drift resolved after 6 min``: the ``incident_resolved`` event's label."""
    return f"{_NOUN[cause]} resolved after {duration((resolved_at - opened_at).total_seconds())}"


def opened_message(cause: str, n_features: int = 0) -> str:
    """``Drift detected: 3 features``: the ``incident_opened`` event's label."""
    if cause == "drift" and n_features:
        return f"Drift detected: {n_features} feature{'s' if n_features != 1 else ''}"
    return f"{_NOUN[cause]} detected"
