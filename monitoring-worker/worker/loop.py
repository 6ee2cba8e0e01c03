"""The worker's main loop: steady cadence, survives failing cycles, stops on SIGTERM.

Each cycle starts ``interval_s`` after the previous one started (not after it
ended); a cycle that overruns makes the next start at once, never twice. The
wait is on an event that SIGTERM/SIGINT set, so shutdown takes at most the
remainder of the running cycle.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from sqlalchemy import Engine

from app.core.db import ping
from worker.cycle import Monitor

log = logging.getLogger(__name__)


def wait_for_database(engine: Engine, stop: threading.Event, timeout_s: float) -> bool:
    """Back off until the database answers; False if stopped or timed out."""
    delay, deadline = 0.5, time.monotonic() + timeout_s
    while not ping(engine):
        if stop.is_set():
            return False
        if time.monotonic() > deadline:
            log.error("database %s not reachable after %.0f s; giving up",
                      engine.url.render_as_string(hide_password=True), timeout_s)
            return False
        log.warning("waiting for database %s (retry in %.1f s)",
                    engine.url.render_as_string(hide_password=True), delay)
        stop.wait(delay)
        delay = min(delay * 2, 5.0)
    log.info("database reachable")
    return True


def run_once(monitor: Monitor) -> bool:
    """One cycle; logs its outcome or its traceback. True when it succeeded."""
    started = time.perf_counter()
    try:
        result = monitor.run_cycle()
    except Exception:  # noqa: BLE001 - one bad cycle must not end the worker
        log.exception("monitoring cycle failed")
        return False
    elapsed = time.perf_counter() - started
    if result is not None:
        drifted = result.dataset.drifted if result.dataset else None
        log.info("cycle %d: %s, %d rows, dataset drift %s, %d alert events, %.2f s",
                 result.run_id, result.status, result.n_rows, drifted, len(result.events), elapsed)
    return True


def install_signal_handlers(stop: threading.Event) -> None:
    def _stop(signum, _frame) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def run_forever(monitor: Monitor, stop: threading.Event) -> None:
    interval = monitor.settings.interval_s
    next_start = time.monotonic()
    while not stop.is_set():
        run_once(monitor)
        next_start += interval
        now = time.monotonic()
        if next_start < now:  # overran: start the next cycle now, skip the missed ones
            next_start = now
        stop.wait(next_start - now)
