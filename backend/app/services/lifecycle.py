"""The open → acknowledged → resolved lifecycle shared by alerts and incidents.

``transition`` moves one alert or incident (anything with ``status``, ``updated_at``,
``acknowledged_at`` and ``resolved_at``) by an action, or raises ``TransitionError`` when
its status does not allow it (acknowledging a resolved one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.core.errors import Conflict

TRANSITIONS = {
    "acknowledge": {"open": "acknowledged"},
    "resolve": {"open": "resolved", "acknowledged": "resolved"},
}


class TransitionError(Conflict):
    """The status does not allow the action."""


class HasLifecycle(Protocol):
    status: str
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None


def allowed(item: HasLifecycle, action: str) -> bool:
    return item.status in TRANSITIONS[action]


def transition(item: HasLifecycle, action: str, what: str, now: datetime) -> str:
    """Apply ``action`` to ``item`` (``what`` names it in the refusal); returns the new status."""
    target = TRANSITIONS[action].get(item.status)
    if target is None:
        raise TransitionError(f"cannot {action} {what}: it is already {item.status}")
    item.status, item.updated_at = target, now
    if target == "acknowledged":
        item.acknowledged_at = now
    else:
        item.resolved_at = now
    return target
