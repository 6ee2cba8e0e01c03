"""Keys, rate limits and request ids: what the simulator sends and how it takes a refusal."""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np
import pytest
from limits import parse

from app.core.config import Settings as BackendSettings
from driftwatch_core.scenarios import MAX_RPS
from simulator import labels, traffic
from simulator.config import ConfigError, Settings, load_settings

PREDICT_KEY, ADMIN_KEY = "dwp_test-predict-key", "dwa_test-admin-key"
PREDICT, FEEDBACK = "/api/v1/models/fraud/predict", "/api/v1/models/fraud/feedback"


def _sent(fake, path: str, method: str = "POST") -> list[dict[str, str]]:
    return [h for _, m, p, h in fake.requests if p == path and m == method]


@pytest.mark.slow
def test_the_key_and_a_unique_request_id_go_with_every_request(fake_backend, drive, wait_until):
    fake_backend.keys = {PREDICT_KEY: "predict"}

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.labels) >= 20, "20 labels stored")

    simulator = drive(script, rps=30, label_delay_s=0.2, label_rate=1.0, api_key=PREDICT_KEY)
    assert simulator.stats.totals.ok >= 20 and not simulator.stats.totals.errors
    assert fake_backend.labels, "no labels were posted"
    paths = {p for _, _, p, _ in fake_backend.requests}
    assert paths == {PREDICT, FEEDBACK, "/api/v1/simulator"}
    headers = [h for _, _, _, h in fake_backend.requests]
    assert all(h.get("x-api-key") == PREDICT_KEY for h in headers)
    ids = [h.get("x-request-id") for h in headers]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(i.startswith("sim-") and len(i) <= 128 for i in ids)


@pytest.mark.slow
def test_without_a_key_no_key_header_is_sent(fake_backend, simulate):
    simulate(rps=10, duration_s=1.0, label_rate=0.0)
    assert fake_backend.requests and not any("x-api-key" in h for _, _, _, h in fake_backend.requests)


def test_the_key_is_never_shown(caplog):
    settings = Settings(api_key=PREDICT_KEY)
    assert PREDICT_KEY not in repr(settings) and PREDICT_KEY not in str(settings)
    assert PREDICT_KEY not in repr(settings.model_dump())
    assert settings.api_key.get_secret_value() == PREDICT_KEY


def test_the_key_comes_from_sim_api_key_or_the_flag(monkeypatch):
    monkeypatch.setenv("SIM_API_KEY", PREDICT_KEY)
    assert load_settings([])[0].api_key.get_secret_value() == PREDICT_KEY
    assert load_settings(["--api-key", ADMIN_KEY])[0].api_key.get_secret_value() == ADMIN_KEY
    monkeypatch.setenv("SIM_API_KEY", "")
    assert load_settings([])[0].api_key is None


@pytest.mark.parametrize("value", ["key-one,key-two", "two words"])
def test_a_malformed_key_is_refused_naming_the_variable_not_the_value(monkeypatch, value):
    monkeypatch.setenv("SIM_API_KEY", value)
    with pytest.raises(ConfigError, match="--api-key / SIM_API_KEY") as refused:
        load_settings([])
    assert value not in str(refused.value)


@pytest.mark.slow
def test_a_refused_key_is_logged_once_naming_sim_api_key_and_traffic_backs_off(fake_backend, drive, wait_until, caplog):
    fake_backend.keys = {PREDICT_KEY: "predict"}
    marks: dict[str, float] = {}

    async def script(simulator):
        await wait_until(lambda: _sent(fake_backend, PREDICT), "a first prediction request")
        started = time.monotonic()
        await asyncio.sleep(3.0)  # three seconds of refusals: 150 requests at the full rate
        marks["share"] = len(_sent(fake_backend, PREDICT)) / (50 * (time.monotonic() - started))

    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = drive(script, rps=50, api_key="dwp_not-a-key")
    refused = [r for r in caplog.records if f"POST {PREDICT} refused with HTTP 401" in r.message]
    assert len(refused) == 1, caplog.text
    line = refused[0].message
    assert "SIM_API_KEY" in line and "predict key" in line and "dwp_not-a-key" not in caplog.text
    sent_id = _sent(fake_backend, PREDICT)[0]["x-request-id"]
    assert f"request {sent_id}" in line  # the backend logged the same id
    assert marks["share"] < 0.5, marks  # it backed off
    predicts = len(_sent(fake_backend, PREDICT))
    assert simulator.stats.totals.errors["HTTP 401"] == predicts and simulator.stats.totals.ok == 0


@pytest.mark.slow
def test_no_key_at_all_says_sim_api_key_is_not_set(fake_backend, simulate, caplog):
    fake_backend.keys = {PREDICT_KEY: "predict"}
    simulate(rps=20, duration_s=1.0)
    assert "SIM_API_KEY is not set" in caplog.text


@pytest.mark.slow
def test_a_predict_key_cannot_switch_scenarios_and_says_it_needs_admin(fake_backend, drive, wait_until, caplog):
    fake_backend.keys = {PREDICT_KEY: "predict", ADMIN_KEY: "admin"}

    def puts() -> list[float]:
        return [t for t, m, p, _ in fake_backend.requests if p == "/api/v1/simulator" and m == "PUT"]

    async def script(simulator):
        await wait_until(lambda: len(puts()) >= 5 and simulator.stats.totals.ok >= 20, "5 refused switches")

    simulator = drive(script, rps=20, scenario="sudden", label_rate=0.0, control_interval_s=0.2, api_key=PREDICT_KEY)
    refused = [r.message for r in caplog.records if "PUT /api/v1/simulator refused with HTTP 403" in r.message]
    assert len(refused) == 1 and "admin key (ADMIN_API_KEYS)" in refused[0], caplog.text
    # Refused switches back off, 0.1 s doubling at the least (every poll, 0.2 s, would take 0.8 s),
    # while the traffic goes on.
    assert puts()[4] - puts()[0] >= 0.1 + 0.2 + 0.4 + 0.8
    assert simulator.stats.totals.ok >= 20 and fake_backend.puts == []


@pytest.mark.slow
def test_an_admin_key_switches_scenarios(fake_backend, simulate):
    fake_backend.keys = {PREDICT_KEY: "predict", ADMIN_KEY: "admin"}
    simulate(rps=10, duration_s=1.0, scenario="sudden", label_rate=0.0, api_key=ADMIN_KEY)
    assert [p["scenario"] for p in fake_backend.puts] == ["sudden"]


@pytest.mark.slow
def test_a_429_pauses_traffic_for_its_retry_after_then_it_resumes(fake_backend, drive, wait_until, caplog):
    fake_backend.retry_after = "3"
    fake_backend.throttled[PREDICT] = 1  # the first request is refused

    def after_the_pause() -> int:
        return sum(t >= fake_backend.throttled_at[0] + 3.0 for t, _, p, _ in fake_backend.requests if p == PREDICT)

    async def script(simulator):
        await wait_until(lambda: after_the_pause() >= 50, "50 predictions after the pause")

    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = drive(script, rps=50, label_rate=0.0)
    refused_at = fake_backend.throttled_at[0]
    arrivals = np.asarray([t for t, m, p, _ in fake_backend.requests if p == PREDICT])
    # Requests already in flight may land just after the 429; then nothing until Retry-After.
    assert np.sum((arrivals > refused_at + 1.0) & (arrivals < refused_at + 2.9)) == 0
    totals = simulator.stats.totals
    assert totals.rate_limited == 1 and totals.errors["HTTP 429"] == 1
    assert "Retry-After" in caplog.text and "recovered" in caplog.text
    assert "rate-limited 1" in caplog.text  # the progress line counts it


@pytest.mark.slow
def test_labels_refused_with_429_wait_and_are_not_lost(fake_backend, simulate, assert_labeled):
    fake_backend.retry_after = "1"
    fake_backend.throttled[FEEDBACK] = 2
    simulator = simulate(rps=30, duration_s=3.0, label_delay_s=0.2, label_rate=1.0)
    assert_labeled(fake_backend, simulator.stats.totals)
    assert simulator.stats.totals.rate_limited == 2 and simulator.stats.totals.labels_dropped == 0


@pytest.mark.slow
def test_labels_refused_for_a_missing_key_stay_queued(fake_backend, simulate, caplog):
    fake_backend.keys = {PREDICT_KEY: "predict"}
    fake_backend.open_paths = {PREDICT}  # only the labels are refused
    simulator = simulate(rps=20, duration_s=2.0, label_delay_s=0.1, label_rate=1.0, shutdown_timeout_s=0.5)
    totals = simulator.stats.totals
    assert _sent(fake_backend, FEEDBACK) and totals.labels_sent == 0
    assert totals.labels_rejected == 0  # not dropped as if the backend had refused the ids
    assert totals.labels_dropped == totals.labels_queued > 0  # kept until shutdown, then counted
    assert caplog.text.count(f"POST {FEEDBACK} refused with HTTP 401") == 1


def test_the_top_rate_fits_the_backends_per_key_limit():
    """Predictions at the top rate plus the largest catch-up, label posts and control polls."""
    limit = parse(BackendSettings.model_fields["rate_limit_per_key"].default)
    per_second = limit.amount / limit.get_expiry()
    control = 1 / Settings.model_fields["control_interval_s"].default
    label_posts = labels.BATCHES_PER_SEND / labels.SEND_INTERVAL_S
    worst_window = MAX_RPS + traffic.MAX_CATCH_UP + label_posts + control
    assert worst_window <= 0.9 * per_second, worst_window
