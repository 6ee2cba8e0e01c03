#!/usr/bin/env python3
"""Container health checks that prove each service does its job (stdlib only).

    python healthcheck.py backend     the API is ready (database reachable, model registry read)
    python healthcheck.py worker      a monitoring cycle of the default model started within 3 intervals
    python healthcheck.py simulator   predictions of the model it sends to (GET /simulator names it)
                                      arrived in the last minute

Exit status 0 is healthy. Worker and simulator are judged through the API they
feed, so a stuck loop shows as unhealthy even though its process is alive.
When reads need a key (REQUIRE_AUTH_FOR_READS), the first key of
HEALTHCHECK_API_KEY (comma-separated), else SIM_API_KEY, is sent as X-API-Key.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from datetime import UTC, datetime

API = os.environ.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/") + "/api/v1"


def api_key() -> str | None:
    keys = os.environ.get("HEALTHCHECK_API_KEY") or os.environ.get("SIM_API_KEY") or ""
    return next((k.strip() for k in keys.split(",") if k.strip()), None)


def get(path: str) -> dict:
    key = api_key()
    request = urllib.request.Request(API + path, headers={"X-API-Key": key} if key else {})
    with urllib.request.urlopen(request, timeout=4) as response:
        return json.load(response)


def backend() -> bool:
    get("/ready")  # raises on 503
    return True


def worker() -> bool:
    run = get("/drift/summary").get("run")
    if not run:
        return False
    started = datetime.fromisoformat(run["started_at"])
    interval = float(os.environ.get("WORKER_INTERVAL_S", "30"))
    return (datetime.now(UTC) - started).total_seconds() < 3 * interval + 10


def simulator() -> bool:
    model = urllib.parse.quote(get("/simulator")["model"], safe="")
    return get(f"/models/{model}/stats")["last_minute"]["count"] > 0


CHECKS = {"backend": backend, "worker": worker, "simulator": simulator}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: healthcheck.py {{{'|'.join(CHECKS)}}}")
    try:
        healthy = CHECKS[sys.argv[1]]()
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", say why
        print(f"unhealthy: {exc}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if healthy else 1)
