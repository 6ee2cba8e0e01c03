"""Robustness: 503s and a dead backend lead to back-off, a clear log line, recovery, no crash."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import pytest

from driftwatch_testing import free_port
from simulator.backoff import Backoff
from simulator.config import Settings
from simulator.runner import Simulator


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
def test_503_backs_off_then_recovers(fake_backend, drive, wait_until, caplog):
    fake_backend.predict_status = 503
    marks: dict[str, float] = {}

    async def script(simulator):
        await wait_until(lambda: fake_backend.arrivals, "a first prediction request")
        started = fake_backend.arrivals[0]
        await asyncio.sleep(2.0)  # two seconds of outage: 100 requests at the full rate
        marks["during_outage"] = len(fake_backend.arrivals)
        marks["share"] = len(fake_backend.arrivals) / (50 * (time.monotonic() - started))
        fake_backend.predict_status = 200
        await wait_until(lambda: simulator.stats.totals.ok >= 100, "100 predictions after the outage")

    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = drive(script, rps=50, label_rate=0.0)
    assert marks["share"] < 0.5, marks  # it backed off
    totals = simulator.stats.totals
    assert 2 <= totals.errors["HTTP 503"] <= marks["during_outage"]  # and kept trying
    assert totals.ok == len(fake_backend.predictions)
    assert "backing off" in caplog.text and "HTTP 503" in caplog.text
    assert "recovered" in caplog.text


@pytest.mark.slow
def test_labels_survive_a_feedback_outage(fake_backend, drive, wait_until, assert_labeled):
    fake_backend.feedback_status = 503

    def refused_posts() -> int:
        return sum(p.endswith("/feedback") for _, _, p, _ in fake_backend.requests)

    async def script(simulator):
        await wait_until(lambda: refused_posts() >= 2, "two refused label posts")
        fake_backend.feedback_status = 200
        await wait_until(lambda: simulator.stats.totals.labels_sent > 0, "labels stored after the outage")

    simulator = drive(script, rps=40, label_delay_s=0.2, label_rate=1.0)
    assert_labeled(fake_backend, simulator.stats.totals)
    assert simulator.stats.totals.labels_dropped == 0


@pytest.mark.slow
def test_a_backend_that_never_answers_is_survived(caplog):
    settings = Settings(
        backend_url=f"http://127.0.0.1:{free_port()}",
        model="fraud",  # SIM_MODEL: sent to before the backend answers, so predictions are tried too
        rps=20,
        duration_s=2.0,
        control_interval_s=0.5,
        shutdown_timeout_s=1.0,
        seed=1,
    )
    simulator = Simulator(settings)
    with caplog.at_level(logging.WARNING):
        stats = asyncio.run(asyncio.wait_for(simulator.run(), 60))
    assert stats.totals.ok == 0 and 0 < sum(stats.totals.errors.values()) < 10
    assert "ConnectError" in caplog.text and "GET /api/v1/simulator failed" in caplog.text


@pytest.mark.slow
def test_an_unexpected_answer_is_counted_not_fatal(fake_backend, drive, wait_until, caplog):
    fake_backend.predict_body = {"status": "ok"}

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.arrivals) >= 10, "10 prediction requests")

    with caplog.at_level(logging.WARNING):
        simulator = drive(script, rps=20)
    totals = simulator.stats.totals
    assert totals.ok == 0 and totals.errors["bad response"] == len(fake_backend.arrivals) >= 10
    assert totals.labels_queued == 0 and "bad response" in caplog.text
