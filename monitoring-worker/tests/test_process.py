"""The worker as a process (--once, SIGTERM, waiting for the database), and the loop's cadence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from driftwatch_core.db.models import MonitoringRun
from driftwatch_core.generator import TransactionGenerator
from worker.cycle import CycleReport
from worker.loop import run_forever

ROOT = Path(__file__).resolve().parents[2]


def spawn(database_url: str, *args: str, **env: str) -> subprocess.Popen:
    full_env = {**os.environ, "DATABASE_URL": database_url, **env}
    return subprocess.Popen(
        [sys.executable, "-m", "worker", *args],
        cwd=ROOT / "monitoring-worker",
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.slow
def test_once_runs_one_cycle_and_exits(database_url, store, clean_db):
    store(TransactionGenerator(seed=12).sample(400), datetime.now(UTC), 60)
    proc = spawn(database_url, "--once")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    with clean_db.connect() as conn:
        [run] = conn.execute(select(MonitoringRun)).all()
    assert (run.status, run.n_rows) == ("ok", 400) and run.finished_at is not None
    assert "cycle 1: ok, 400 rows" in out


@pytest.mark.slow
def test_sigterm_stops_the_loop_cleanly_while_it_waits_for_the_next_cycle(database_url, demo_model, clean_db):
    proc = spawn(database_url, "--interval-s", "3600")  # the next cycle is an hour away
    deadline = time.monotonic() + 60  # a guard against a worker that never starts, not a measure
    with clean_db.connect() as conn:
        while conn.execute(select(MonitoringRun.id)).first() is None:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
            conn.rollback()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)  # far sooner than the hour it would wait if SIGTERM did not wake it
    assert proc.returncode == 0, out
    assert "received SIGTERM: stopping" in out and "stopped cleanly" in out


@pytest.mark.slow
def test_waits_for_the_database_with_a_clear_log_line(database_url, clean_db):
    from sqlalchemy.engine import make_url

    from driftwatch_testing import TcpProxy

    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)  # not started: "down"
    try:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        proc = spawn(proxied, "--once")
        first = proc.stdout.readline()  # blocks until the worker logs something
        assert "waiting for database" in first, first
        assert proc.poll() is None  # still waiting, not failed
        proxy.start()
        out, _ = proc.communicate(timeout=60)
    finally:
        proxy.close()
    assert "database reachable" in out, out
    assert proc.returncode == 0, out


class FakeTime:
    """A clock that moves only when a cycle spends time or the loop waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class FakeMonitor:
    """Each cycle spends ``durations[i]`` seconds of fake time; the second fails; the fifth stops the loop."""

    def __init__(self, interval_s: float, durations: list[float], clock: FakeTime, stop: threading.Event) -> None:
        self.settings = type("S", (), {"interval_s": interval_s})()
        self.durations, self.time, self.stop = durations, clock, stop
        self.starts: list[float] = []

    def run_cycle(self):
        self.starts.append(self.time.now)
        self.time.now += self.durations[len(self.starts) - 1]
        if len(self.starts) == 2:
            raise RuntimeError("a failing cycle")
        if len(self.starts) == 5:
            self.stop.set()
        return CycleReport()


def test_cadence_is_start_to_start_and_survives_a_failing_cycle():
    stop, clock = threading.Event(), FakeTime()
    monitor = FakeMonitor(30, [5, 0, 45, 0, 0], clock, stop)
    run_forever(monitor, stop, clock=clock.clock, wait=clock.wait)
    # 30 s start to start; the failing second cycle did not end the loop; the third overran
    # (45 s): the fourth started at once, and the fifth 30 s after it (no cycle twice).
    assert monitor.starts == [0, 30, 60, 105, 135]
    assert clock.waits == [25, 30, 0, 30, 30]
