"""Whether this backend can serve: the database answers with its schema, the model registry was read.

What is wrong is said without the driver's text (hosts, ports, paths): the
server log has that.
"""

from __future__ import annotations

from app.services.runtime import Runtime
from driftwatch_core.db.engine import ping


def readiness(runtime: Runtime) -> dict:
    """``{status, checks, missing}`` and an ``*_error`` sentence for each part that is wrong."""
    reachable = ping(runtime.engine)
    checks = {"database": reachable and runtime.schema_ready.is_set(), "registry": runtime.router.has_read}
    missing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not missing else "not ready", "checks": checks, "missing": missing}
    if not checks["database"]:
        body["database_error"] = "database unreachable" if not reachable else "database schema not created yet"
    if not checks["registry"]:
        body["registry_error"] = "the model registry has not been read yet (it is read once the database answers)"
    if runtime.writer.last_error:
        body["writer_error"] = "storing predictions failed; they are kept and retried (see the server log)"
    return body
