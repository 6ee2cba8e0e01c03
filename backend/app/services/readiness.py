"""Whether this backend can serve: the database answers with its schema, a model is loaded.

What is wrong is said without the driver's text (hosts, ports, paths): the
server log has that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from driftwatch_core.db.engine import ping

if TYPE_CHECKING:
    from app.core.state import AppState


def readiness(state: AppState) -> dict:
    """``{status, checks, missing}`` and an ``*_error`` sentence for each part that is wrong."""
    reachable = ping(state.engine)
    checks = {"database": reachable and state.schema_ready.is_set(), "model": state.serving_ready()}
    missing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not missing else "not ready", "checks": checks, "missing": missing}
    if not checks["database"]:
        body["database_error"] = "database unreachable" if not reachable else "database schema not created yet"
    if not checks["model"]:
        body["model_error"] = "no model loaded: run ./scripts/train_model.sh (the server log says why)"
    if state.writer.last_error:
        body["writer_error"] = "storing predictions failed; they are kept and retried (see the server log)"
    return body
