"""Run the backend: ``python -m app.serve`` (what the image and ./scripts/setup.sh start).

uvicorn with ``BACKEND_WORKERS`` server processes (unset: 2 with PostgreSQL, 1 with
SQLite) on ``BACKEND_HOST``:``BACKEND_PORT`` (127.0.0.1:8000 by default), the access
log off unless ``ACCESS_LOG=true`` (request ids and the metrics say what happened; a
log line per request costs more CPU than scoring the request). uvicorn[standard] brings uvloop and httptools.

Each process is a whole backend: its own prediction writer (and summaries), model
routing poller, shadow scorer, retrain runner and live channel; they share the
database, which is what makes a promotion through one process reach the others
(within ``ROUTING_POLL_S``) and a retrain job run once (it is claimed by one
conditional UPDATE). With more than one process the Prometheus metrics go through
``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary folder unless it is set), so a scrape
of any process counts every process's requests.

Why not ``uvicorn --workers``: its processes share one listening socket, and whichever
is awake first accepts the connections that arrive together, so keep-alive clients
that connect at once often all land on one process while the other idles (measured:
16 clients, 6,000 requests on one process and 50 on the other, half the throughput).
Here each process listens on a socket of its own with ``SO_REUSEPORT``, and the kernel
spreads new connections across them by a hash of each connection's addresses. This
supervisor starts them, passes SIGTERM/SIGINT on, waits for them to finish (each
stores what it has queued), and starts again one that died.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import tempfile
import time
from pathlib import Path
from types import FrameType

import uvicorn

from app.core.config import get_settings
from app.core.metrics import MULTIPROCESS_DIR

log = logging.getLogger("app.serve")
APP = "app.main:app"
GRACE_S = 15  # uvicorn's own graceful shutdown; the supervisor waits a little longer


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


def _listening_socket(host: str, port: int, shared: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _config(host: str, port: int, access_log: bool) -> uvicorn.Config:
    return uvicorn.Config(APP, host=host, port=port, access_log=access_log, timeout_graceful_shutdown=GRACE_S)


def serve_one(host: str, port: int, access_log: bool) -> None:
    """One server process on its own SO_REUSEPORT socket (the supervisor's child)."""
    uvicorn.Server(_config(host, port, access_log)).run(sockets=[_listening_socket(host, port, shared=True)])


def supervise(host: str, port: int, workers: int, access_log: bool) -> None:
    # The port must be free of anyone else: a socket without SO_REUSEPORT cannot bind beside one.
    _listening_socket(host, port, shared=False).close()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: no state forked
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=serve_one, args=(host, port, access_log), name="driftwatch-server")
        process.start()
        return process

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.pid is not None and process.is_alive() and signum != signal.SIGINT:
                os.kill(process.pid, signal.SIGTERM)  # Ctrl-C reached the whole group already

    processes = [start() for _ in range(workers)]
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("serving on %s:%d with %d processes (SO_REUSEPORT)", host, port, workers)
    while not stopping:
        for i, process in enumerate(processes):
            if not process.is_alive() and not stopping:
                log.error("server process %s exited with %s; starting another", process.pid, process.exitcode)
                time.sleep(1)
                processes[i] = start()
        time.sleep(0.5)
    deadline = time.monotonic() + GRACE_S + 5
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            log.error("server process %s did not stop in time: killing it", process.pid)
            process.kill()


def main() -> None:
    settings = get_settings()
    host = os.environ.get("BACKEND_HOST", "127.0.0.1")
    port = int(os.environ.get("BACKEND_PORT", "8000"))
    if settings.server_processes == 1:
        uvicorn.run(APP, host=host, port=port, access_log=settings.access_log, timeout_graceful_shutdown=GRACE_S)
        return
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    os.environ[MULTIPROCESS_DIR] = multiprocess_dir()  # inherited by every server process
    supervise(host, port, settings.server_processes, settings.access_log)


if __name__ == "__main__":
    main()
