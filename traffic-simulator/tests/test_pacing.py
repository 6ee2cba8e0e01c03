"""Pacing: the achieved rate holds the target, evenly spread, and follows the backend's rps."""

from __future__ import annotations

import numpy as np
import pytest


def _rate_between(arrivals: list[float], start: float, end: float) -> float:
    times = np.asarray(arrivals)
    return float(np.sum((times >= start) & (times < end)) / (end - start))


@pytest.mark.slow
def test_100_rps_is_held_within_5_percent_and_evenly_spaced(fake_backend, simulate):
    simulator = simulate(rps=100, duration_s=5.0, label_rate=0.0)
    arrivals = fake_backend.arrivals
    # Skip the first and last half second: the rate over a 4 s span in the middle.
    rate = _rate_between(arrivals, arrivals[0] + 0.5, arrivals[0] + 4.5)
    assert rate == pytest.approx(100, rel=0.05)
    assert len(arrivals) == pytest.approx(500, rel=0.05)
    gaps = np.diff(arrivals)
    assert np.median(gaps) == pytest.approx(0.01, rel=0.3)  # one every 1/rps, not in bursts
    assert simulator.stats.totals.ok == len(arrivals) and not simulator.stats.totals.errors


def test_a_rate_set_in_the_backend_overrides_sim_rps(fake_backend, simulate):
    fake_backend.set_control("none", rps=30)
    simulate(rps=5, duration_s=3.0, label_rate=0.0)
    arrivals = fake_backend.arrivals
    assert _rate_between(arrivals, arrivals[0] + 0.5, arrivals[0] + 2.5) == pytest.approx(30, rel=0.1)
