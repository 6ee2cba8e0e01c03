"""Run-time control: scenario and rate follow the backend without a restart; the demo schedule."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest

from driftwatch_core.scenarios import SimulatorState
from simulator.control import Control, Step


def _sync_once(settings, send_scenario: bool) -> Control:
    async def go() -> Control:
        async with httpx.AsyncClient(base_url=settings.backend_url) as client:
            control = Control(client, settings, send_scenario)
            await control.sync()
            return control

    return asyncio.run(go())


def test_sim_scenario_is_stored_when_the_backend_has_none(fake_backend, settings_for):
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=False)
    assert [p["scenario"] for p in fake_backend.puts] == ["sudden"]
    assert control.scenario.name == "sudden" and fake_backend.control["scenario"] == "sudden"


def test_sim_scenario_does_not_override_a_stored_one(fake_backend, settings_for):
    fake_backend.set_control("categorical", rps=12)
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=False)
    assert fake_backend.puts == [] and control.scenario.name == "categorical" and control.rps == 12


def test_the_scenario_flag_is_always_sent(fake_backend, settings_for):
    fake_backend.set_control("categorical")
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=True)
    assert [p["scenario"] for p in fake_backend.puts] == ["sudden"] and control.scenario.name == "sudden"


def test_the_scenario_clock_is_the_backends(fake_backend, settings_for):
    fake_backend.set_control("gradual", {"duration_minutes": 10})
    fake_backend.control["updated_at"] = datetime.now(UTC) - timedelta(minutes=5)
    control = _sync_once(settings_for(), send_scenario=False)
    assert control.scenario_time() == pytest.approx(300, abs=2)
    assert control.scenario.tick(control.scenario_time()).scale["distance_from_home_km"] == pytest.approx(
        50**0.5, rel=0.02
    )


def test_an_unknown_backend_scenario_keeps_the_current_one(settings_for, caplog):
    control = Control(None, settings_for(), send_scenario=False)  # type: ignore[arg-type]
    state = SimulatorState(
        scenario="meteor", params={}, rps=None, updated_at=None, started_at=None, elapsed_s=None, scenarios=[]
    )
    control.apply(state)
    assert control.scenario.name == "none" and "meteor" in caplog.text


def _night_share(rows: list[dict]) -> float:
    return float(np.mean([r["hour_of_day"] <= 5 for r in rows]))


@pytest.mark.slow
def test_a_put_switches_the_running_simulator(fake_backend, simulate):
    switch = threading.Timer(1.5, lambda: fake_backend.set_control("sudden"))
    switch.start()
    simulate(rps=50, duration_s=4.0, label_rate=0.0, control_interval_s=0.5)
    rows = list(fake_backend.predictions.values())
    times = np.asarray(fake_backend.arrivals) - fake_backend.arrivals[0]
    before = [r for r, t in zip(rows, times, strict=True) if t < 1.4]
    after = [r for r, t in zip(rows, times, strict=True) if t > 3.0]  # poll (0.5 s) + one chunk (1 s)
    assert _night_share(before) < 0.2 and _night_share(after) > 0.9


@pytest.mark.slow
def test_auto_drift_walks_the_schedule_in_a_loop(fake_backend, simulate):
    schedule = (Step("sudden", 0.5), Step("none", 0.5))
    simulate({"schedule": schedule}, rps=20, duration_s=1.8, auto_drift=True, label_rate=0.0)
    assert [p["scenario"] for p in fake_backend.puts][:4] == ["sudden", "none", "sudden", "none"]
