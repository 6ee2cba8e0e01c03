"""Robustness: 503s and a dead backend lead to back-off, a clear log line, recovery, no crash."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time

import numpy as np
import pytest

from driftwatch_testing import free_port
from simulator.backoff import Backoff
from simulator.config import Settings
from simulator.runner import Simulator


def _later(seconds: float, action) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def test_backoff_doubles_with_jitter_up_to_the_cap_and_resets_on_success():
    backoff = Backoff("test", base_s=1.0, max_s=4.0, rng=random.Random(3))
    pauses = []
    for _ in range(5):
        backoff.paused_until = 0.0  # as if the previous pause had passed
        backoff.failure("HTTP 503")
        pauses.append(backoff.remaining())
    for pause, ceiling in zip(pauses, [1, 2, 4, 4, 4], strict=True):
        assert ceiling * 0.5 - 0.01 <= pause <= ceiling
    backoff.failure("again")  # while paused: the pause is not lengthened
    assert backoff.attempt == 5
    backoff.success()
    assert backoff.attempt == 0 and backoff.remaining() == 0


@pytest.mark.slow
def test_503_backs_off_then_recovers(fake_backend, simulate, caplog):
    fake_backend.predict_status = 503
    _later(2.0, lambda: setattr(fake_backend, "predict_status", 200))
    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = simulate(rps=50, duration_s=5.0, label_rate=0.0)
    arrivals = np.asarray(fake_backend.arrivals)
    start = arrivals[0]
    during_outage = np.sum(arrivals < start + 2.0)
    assert during_outage < 20  # 100 at full rate: it backed off
    last_second = np.sum(arrivals >= start + 4.0)
    assert last_second == pytest.approx(50, rel=0.15)  # and came back to full rate
    totals = simulator.stats.totals
    assert totals.errors["HTTP 503"] == during_outage and totals.ok == len(fake_backend.predictions)
    assert "backing off" in caplog.text and "HTTP 503" in caplog.text
    assert "recovered" in caplog.text


@pytest.mark.slow
def test_labels_survive_a_feedback_outage(fake_backend, simulate):
    fake_backend.feedback_status = 503
    _later(1.5, lambda: setattr(fake_backend, "feedback_status", 200))
    simulator = simulate(rps=40, duration_s=3.0, label_delay_s=0.2, label_rate=1.0)
    assert set(fake_backend.labels) == set(fake_backend.predictions)
    assert simulator.stats.totals.labels_dropped == 0


def test_a_backend_that_never_answers_is_survived(caplog):
    settings = Settings(
        backend_url=f"http://127.0.0.1:{free_port()}",
        rps=20,
        duration_s=2.0,
        control_interval_s=0.5,
        shutdown_timeout_s=1.0,
        seed=1,
    )
    simulator = Simulator(settings)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        stats = asyncio.run(simulator.run())
    assert time.monotonic() - started < 5
    assert stats.totals.ok == 0 and 0 < sum(stats.totals.errors.values()) < 10
    assert "ConnectError" in caplog.text and "GET /api/v1/simulator failed" in caplog.text


def test_an_unexpected_answer_is_counted_not_fatal(fake_backend, simulate, caplog):
    fake_backend.predict_body = {"status": "ok"}
    with caplog.at_level(logging.WARNING):
        simulator = simulate(rps=20, duration_s=1.0)
    totals = simulator.stats.totals
    assert totals.ok == 0 and totals.errors["bad response"] == len(fake_backend.arrivals) > 10
    assert totals.labels_queued == 0 and "bad response" in caplog.text
