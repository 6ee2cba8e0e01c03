"""Run the backend: ``python -m app.serve`` (what the image and ./scripts/setup.sh start).

uvicorn with ``BACKEND_WORKERS`` server processes on ``BACKEND_HOST``:``BACKEND_PORT``
(127.0.0.1:8000 by default), the access log off unless ``ACCESS_LOG=true`` (request
ids and the metrics say what happened; a log line per request costs more CPU than
scoring the request). uvicorn[standard] brings uvloop and httptools.

Each process is a whole backend: its own prediction writer (and summaries), model
routing poller, shadow scorer, retrain runner and live channel; they share the
database, which is what makes a promotion through one process reach the others
(within ``ROUTING_POLL_S``) and a retrain job run once (it is claimed by one
conditional UPDATE). With more than one process the Prometheus metrics go through
``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary folder unless it is set), so a scrape
of any process counts every process's requests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import uvicorn

from app.core.config import get_settings
from app.core.metrics import MULTIPROCESS_DIR


def multiprocess_dir() -> str:
    """A folder for the processes' metric files: the operator's (its metric files of a previous
    run removed, or they would be counted again), or a new temporary one."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    if not folder:
        return tempfile.mkdtemp(prefix="driftwatch-metrics-")
    os.makedirs(folder, exist_ok=True)
    for old in Path(folder).glob("*.db"):
        old.unlink()
    return folder


def main() -> None:
    settings = get_settings()
    workers = settings.backend_workers
    if workers > 1:
        os.environ[MULTIPROCESS_DIR] = multiprocess_dir()  # inherited by every server process
    uvicorn.run(
        "app.main:app",
        host=os.environ.get("BACKEND_HOST", "127.0.0.1"),
        port=int(os.environ.get("BACKEND_PORT", "8000")),
        workers=workers,
        access_log=settings.access_log,
        timeout_graceful_shutdown=15,
    )


if __name__ == "__main__":
    main()
