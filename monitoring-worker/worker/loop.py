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

from worker.cycle import Monitor

log = logging.getLogger(__name__)


def run_once(monitor: Monitor) -> bool:
    """One cycle; logs its outcome or its traceback. True when it succeeded."""
    started = time.perf_counter()
    try:
        result = monitor.run_cycle()
    except Exception:
        log.exception("monitoring cycle failed")
        return False
    elapsed = time.perf_counter() - started
    if result is not None:
        drifted = result.dataset.drifted if result.dataset else None
        log.info(
            "cycle %d: %s, %d rows, dataset drift %s, %d alert events, %.2f s",
            result.run_id,
            result.status,
            result.n_rows,
            drifted,
            len(result.events),
            elapsed,
        )
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
