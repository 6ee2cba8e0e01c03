"""Counters of the traffic sent, logged every few seconds and kept as totals."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class Totals:
    sent: int = 0
    ok: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # sends given up because the simulator fell more than a second behind
    rate_limited: int = 0  # 429 answers (predictions, labels and control), each paused as asked
    labels_queued: int = 0
    labels_sent: int = 0
    labels_rejected: int = 0  # refused by the backend (unknown prediction, conflicting label)
    labels_dropped: int = 0  # never reached the backend: queue full, or still pending after the shutdown flush
    labels_unconfirmed: int = 0  # posted, but no answer came back before shutdown: stored or not, unknown


class Stats:
    """Totals since start, plus the latencies and counts of the current reporting window."""

    def __init__(self) -> None:
        self.totals = Totals()
        self._window_start = time.monotonic()
        self._window_sent = 0
        self._window_errors = 0
        self._latencies: list[float] = []

    def new_window(self) -> None:
        """Start a new reporting window now (discarding the current one)."""
        self._window_start, self._window_sent, self._window_errors = time.monotonic(), 0, 0
        self._latencies = []

    def request(self, latency_s: float, error: str | None = None) -> None:
        """Record one finished prediction request; ``error`` names what went wrong."""
        self.totals.sent += 1
        self._window_sent += 1
        if error is None:
            self.totals.ok += 1
            self._latencies.append(latency_s)
        else:
            self.totals.errors[error] += 1
            self._window_errors += 1

    def report(self, target_rps: float, model: str | None, scenario: str, pending_labels: int) -> str:
        """A one-line summary of the window since the previous report; starts a new window."""
        now = time.monotonic()
        elapsed = max(now - self._window_start, 1e-9)
        if self._latencies:
            p50, p95 = np.percentile(np.asarray(self._latencies) * 1000.0, [50, 95])
            latency = f"latency p50 {p50:.1f} ms p95 {p95:.1f} ms"
        else:
            latency = "latency n/a"
        t = self.totals
        line = (
            f"{self._window_sent / elapsed:.1f} req/s (target {target_rps:g}) over {elapsed:.1f} s, "
            f"errors {self._window_errors}, {latency}, model {model or '(none named yet)'}, scenario {scenario}; "
            f"labels sent {t.labels_sent} pending {pending_labels} dropped {t.labels_dropped} "
            f"unconfirmed {t.labels_unconfirmed}; totals sent {t.sent} ok {t.ok} "
            f"skipped {t.skipped} rate-limited {t.rate_limited}"
        )
        self.new_window()
        return line
