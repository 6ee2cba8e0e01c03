"""The worker as a process: --once, SIGTERM, waiting for the database, cadence."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from driftwatch_core.db.models import MonitoringRun
from driftwatch_core.generator import TransactionGenerator
from worker.cycle import CycleReport
from worker.loop import run_forever

ROOT = Path(__file__).resolve().parents[2]


def spawn(database_url: str, model_dir: Path, *args: str, **env: str) -> subprocess.Popen:
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MODEL_DIR": str(model_dir),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "worker", *args],
        cwd=ROOT / "monitoring-worker",
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_once_runs_one_cycle_and_exits(database_url, model_dir, store, clean_db):
    store(TransactionGenerator(seed=12).sample(400), datetime.now(UTC), 60)
    proc = spawn(database_url, model_dir, "--once")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    with clean_db.connect() as conn:
        [run] = conn.execute(select(MonitoringRun)).all()
    assert (run.status, run.n_rows) == ("ok", 400) and run.finished_at is not None
    assert "cycle 1: ok, 400 rows" in out


def test_sigterm_stops_the_loop_cleanly_within_five_seconds(database_url, model_dir, clean_db):
    proc = spawn(database_url, model_dir, "--interval-s", "30")
    deadline = time.monotonic() + 30
    with clean_db.connect() as conn:
        while conn.execute(select(MonitoringRun.id)).first() is None:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
            conn.rollback()
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0, out
    assert time.monotonic() - sent < 5
    assert "stopped cleanly" in out


def test_waits_for_the_database_with_a_clear_log_line(database_url, model_dir, clean_db):
    from sqlalchemy.engine import make_url

    from driftwatch_testing import TcpProxy

    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)  # not started: "down"
    try:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        proc = spawn(proxied, model_dir, "--once")
        first = proc.stdout.readline()  # blocks until the worker logs something
        assert "waiting for database" in first, first
        assert proc.poll() is None  # still waiting, not failed
        proxy.start()
        out, _ = proc.communicate(timeout=60)
    finally:
        proxy.close()
    assert "database reachable" in out, out
    assert proc.returncode == 0, out


class FakeMonitor:
    """Counts cycle starts; the first cycle is slow, one fails."""

    def __init__(self, interval_s: float, stop: threading.Event) -> None:
        self.settings = type("S", (), {"interval_s": interval_s})()
        self.starts: list[float] = []
        self.stop = stop

    def run_cycle(self):
        self.starts.append(time.monotonic())
        if len(self.starts) == 2:
            raise RuntimeError("a failing cycle")
        time.sleep(0.15 if len(self.starts) == 1 else 0.0)
        if len(self.starts) == 5:
            self.stop.set()
        return CycleReport()


def test_cadence_is_start_to_start_and_survives_a_failing_cycle():
    stop = threading.Event()
    monitor = FakeMonitor(0.3, stop)
    run_forever(monitor, stop)
    gaps = [b - a for a, b in zip(monitor.starts, monitor.starts[1:], strict=False)]
    assert len(monitor.starts) == 5  # the failing second cycle did not end the loop
    assert all(abs(g - 0.3) < 0.08 for g in gaps), gaps
