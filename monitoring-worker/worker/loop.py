"""The worker's main loop: steady cadence, survives failing cycles, stops on SIGTERM.

Each cycle covers every monitored model and logs one line per model; one
model's failure stops neither the others nor the loop. Each cycle starts
``interval_s`` after the previous one started (not after it ended); a cycle
that overruns makes the next start at once, never twice. The wait is on an
event that SIGTERM/SIGINT set, so shutdown takes at most the remainder of the
running cycle.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from worker.cycle import Monitor
from worker.results import CycleResult

log = logging.getLogger(__name__)


def log_result(model: str, result: CycleResult | None) -> None:
    """One line for one model's cycle."""
    if result is None:
        log.info("%s: slot computed by another worker", model)
    elif result.status == "failed":
        log.error("%s: cycle %s failed after %.2f s: %s", model, result.run_id, result.elapsed_s, result.error)
    else:
        drifted = result.dataset.drifted if result.dataset else None
        log.info(
            "%s: cycle %d: %s, %d rows, version %s, dataset drift %s, %d alert events, %.2f s",
            model,
            result.run_id,
            result.status,
            result.n_rows,
            result.version,
            drifted,
            len(result.events),
            result.elapsed_s,
        )


def run_once(monitor: Monitor) -> bool:
    """One cycle over every model; logs one line per model, or the traceback when the cycle
    could not run at all. True when every model's cycle succeeded."""
    started = time.perf_counter()
    try:
        report = monitor.run_cycle()
    except Exception:
        log.exception("monitoring cycle failed")
        return False
    for model, result in report.results.items():
        log_result(model, result)
    if not report.results:
        log.info("no active model with a version to monitor")
    log.debug("cycle over %d model(s) took %.2f s", len(report.results), time.perf_counter() - started)
    return report.ok


def install_signal_handlers(stop: threading.Event) -> None:
    def _stop(signum, _frame) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def run_forever(
    monitor: Monitor,
    stop: threading.Event,
    clock: Callable[[], float] = time.monotonic,
    wait: Callable[[float], object] | None = None,
) -> None:
    """Cycles until ``stop`` is set, each starting ``interval_s`` after the previous one started.
    ``clock`` and ``wait`` (by default the monotonic clock and ``stop.wait``) let a test keep the time."""
    wait = wait or stop.wait
    interval = monitor.settings.interval_s
    next_start = clock()
    while not stop.is_set():
        run_once(monitor)
        next_start += interval
        now = clock()
        if next_start < now:  # overran: start the next cycle now, skip the missed ones
            next_start = now
        wait(next_start - now)
