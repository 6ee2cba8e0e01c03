"""Pacing: the simulator keeps to its schedule, request k at ``start + k / rps``, and follows the backend's rps.

Measured where the requests leave the simulator (its HTTP client's request hook), and held to what
the schedule guarantees on any machine, however busy: never ahead of it by more than the catch-up
allowed (no bursts), never behind it by more than that either, unless the missed sends are
skipped and counted. A fixed sleep after each answer falls behind; a burst per second runs ahead.
"""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from simulator import traffic
from simulator.client import make_client


def _recording_client(settings, sends: list[float]) -> httpx.AsyncClient:
    """The simulator's own client, plus a hook noting when each prediction request goes out."""
    client = make_client(settings)

    async def note(request: httpx.Request) -> None:
        if request.url.path.endswith("/predict"):
            sends.append(time.monotonic())

    client.event_hooks = {**client.event_hooks, "request": [*client.event_hooks["request"], note]}
    return client


def _assert_on_schedule(sends: list[float], rps: float, skipped: int, resets: int) -> None:
    allowance = rps * min(traffic.MAX_LAG_S, traffic.MAX_CATCH_UP / rps) + 2
    first = sends[0]
    ahead = max(k + 1 - rps * (t - first) for k, t in enumerate(sends))
    assert ahead <= allowance, f"{ahead:.0f} sends ahead of the schedule"
    # Each skip restarts the schedule, losing less than one slot to rounding.
    behind = rps * (sends[-1] - first) - (len(sends) + skipped)
    assert behind <= allowance + resets, f"{behind:.0f} sends behind the schedule, {skipped} skipped"


def _resets(caplog) -> int:
    return sum("behind schedule: skipping" in r.message for r in caplog.records)


@pytest.mark.slow
def test_200_rps_keeps_to_the_schedule(settings_for, drive_simulator, wait_until, caplog):
    settings = settings_for(rps=200, label_rate=0.0, duration_s=None)
    sends: list[float] = []

    async def script(simulator):
        await wait_until(lambda: len(sends) >= 1000, "1,000 predictions sent")

    with caplog.at_level(logging.WARNING, logger="simulator"):
        simulator = drive_simulator(settings, script, client=_recording_client(settings, sends))
    totals = simulator.stats.totals
    # 1,000 sends: the catch-up allowed (50) is 5% of them.
    _assert_on_schedule(sends, 200, totals.skipped, _resets(caplog))
    assert totals.ok == len(sends) and not totals.errors


@pytest.mark.slow
def test_a_rate_set_in_the_backend_overrides_sim_rps(fake_backend, settings_for, drive_simulator, wait_until, caplog):
    fake_backend.set_control("none", rps=30)
    settings = settings_for(rps=5, label_rate=0.0, duration_s=None)
    sends: list[float] = []

    async def script(simulator):
        await wait_until(lambda: len(sends) >= 150, "150 predictions sent")

    with caplog.at_level(logging.WARNING, logger="simulator"):
        simulator = drive_simulator(settings, script, client=_recording_client(settings, sends))
    _assert_on_schedule(sends, 30, simulator.stats.totals.skipped, _resets(caplog))
