"""Run-time control: model, scenario and rate follow the backend without a restart; the demo schedule."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest

from driftwatch_core.scenarios import SimulatorState
from simulator.config import Settings
from simulator.control import Control, Step


def _sync_once(settings, send_scenario: bool) -> Control:
    async def go() -> Control:
        async with httpx.AsyncClient(base_url=settings.backend_url) as client:
            control = Control(client, settings, send_scenario)
            await control.sync()
            return control

    return asyncio.run(go())


@pytest.mark.slow
def test_sim_scenario_is_stored_when_the_backend_has_none(fake_backend, settings_for):
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=False)
    assert [p["scenario"] for p in fake_backend.puts] == ["sudden"]
    assert control.scenario.name == "sudden" and fake_backend.control["scenario"] == "sudden"


@pytest.mark.slow
def test_sim_scenario_does_not_override_a_stored_one(fake_backend, settings_for):
    fake_backend.set_control("categorical", rps=12)
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=False)
    assert fake_backend.puts == [] and control.scenario.name == "categorical" and control.rps == 12


@pytest.mark.slow
def test_the_scenario_flag_is_always_sent(fake_backend, settings_for):
    fake_backend.set_control("categorical")
    control = _sync_once(settings_for(scenario="sudden"), send_scenario=True)
    assert [p["scenario"] for p in fake_backend.puts] == ["sudden"] and control.scenario.name == "sudden"


@pytest.mark.slow
def test_the_scenario_clock_is_the_backends(fake_backend, settings_for):
    fake_backend.set_control("gradual", {"duration_minutes": 10})
    fake_backend.control["updated_at"] = datetime.now(UTC) - timedelta(minutes=5)
    control = _sync_once(settings_for(), send_scenario=False)
    assert control.scenario_time() == pytest.approx(300, abs=2)
    assert control.scenario.tick(control.scenario_time()).scale["distance_from_home_km"] == pytest.approx(
        50**0.5, rel=0.02
    )


def _state(scenario: str = "none", model: str = "fraud") -> SimulatorState:
    return SimulatorState(
        model=model,
        scenario=scenario,
        params={},
        rps=None,
        updated_at=None,
        started_at=None,
        elapsed_s=None,
        scenarios=[],
    )


def test_an_unknown_backend_scenario_keeps_the_current_one(caplog):
    control = Control(None, Settings(), send_scenario=False)  # type: ignore[arg-type]
    control.apply(_state("meteor"))
    assert control.scenario.name == "none" and "meteor" in caplog.text


def test_sim_model_stands_in_until_the_backend_names_the_model(caplog):
    control = Control(None, Settings(model="fraud-b"), send_scenario=False)  # type: ignore[arg-type]
    assert control.model == "fraud-b"
    with caplog.at_level(logging.INFO, logger="simulator"):
        control.apply(_state(model="fraud"))
    assert control.model == "fraud" and "from model 'fraud-b' to 'fraud'" in caplog.text
    assert Control(None, Settings(), send_scenario=False).model is None  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_backends_model_is_adopted_at_the_first_poll(fake_backend, settings_for):
    fake_backend.registered.add("fraud-b")
    fake_backend.set_control("none", model="fraud-b")
    assert _sync_once(settings_for(), send_scenario=False).model == "fraud-b"
    assert _sync_once(settings_for(model="fraud"), send_scenario=False).model == "fraud-b"  # the backend wins


def _night_share(rows: list[dict]) -> float:
    return float(np.mean([r["hour_of_day"] <= 5 for r in rows]))


@pytest.mark.slow
def test_a_put_switches_the_running_simulator(fake_backend, drive, wait_until):
    marks: dict[str, int] = {}

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.predictions) >= 100, "100 predictions before the switch")
        marks["switch"] = len(fake_backend.predictions)
        fake_backend.set_control("sudden")
        await wait_until(lambda: simulator.control.scenario.name == "sudden", "the simulator took the switch")
        # Rows drawn before it took the switch (one chunk, at most a second of traffic) go out first.
        marks["taken"] = len(fake_backend.predictions)
        await wait_until(lambda: len(fake_backend.predictions) >= marks["taken"] + 150, "150 more predictions")

    drive(script, rps=50, label_rate=0.0)
    rows = list(fake_backend.predictions.values())  # in arrival order
    assert _night_share(rows[: marks["switch"]]) < 0.2 and _night_share(rows[-100:]) > 0.9


@pytest.mark.slow
def test_auto_drift_walks_the_schedule_in_a_loop(fake_backend, drive, wait_until):
    schedule = (Step("sudden", 0.3), Step("none", 0.3))

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.puts) >= 4, "four steps of the schedule")

    drive(script, {"schedule": schedule}, rps=20, auto_drift=True, label_rate=0.0)
    assert [p["scenario"] for p in fake_backend.puts][:4] == ["sudden", "none", "sudden", "none"]
