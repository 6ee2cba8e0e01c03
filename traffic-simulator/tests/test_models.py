"""The model the traffic goes to: the control row's, followed on a switch; labels go to their prediction's model;
a model that is not registered (404) or does not take card transactions (422) is explained once and backed off."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

OTHER = "fraud-b"


def _full_rate_share(refused: int, rps: float, since: float) -> float:
    """``refused`` requests as a share of what ``rps`` would have sent since ``since``."""
    return refused / (rps * (time.monotonic() - since))


@pytest.mark.slow
def test_traffic_and_labels_go_to_the_control_rows_model_and_follow_a_switch(
    fake_backend, drive, wait_until, assert_labeled
):
    fake_backend.registered.add(OTHER)

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.labels_at("fraud")) >= 50, "50 labels stored for fraud")
        fake_backend.set_control("none", model=OTHER)
        await wait_until(lambda: simulator.control.model == OTHER, "the simulator took the switch")
        await wait_until(lambda: len(fake_backend.labels_at(OTHER)) >= 50, f"50 labels stored for {OTHER}")

    simulator = drive(script, rps=50, label_delay_s=0.2, label_rate=1.0)
    models = fake_backend.arrival_models
    assert set(models[:50]) == {"fraud"} and set(models[-50:]) == {OTHER}
    # Every prediction's label went to the model that made it (label_rate 1: all of them, flushed at the end).
    totals = simulator.stats.totals
    assert_labeled(fake_backend, totals)
    assert totals.labels_rejected == 0 and totals.labels_sent == totals.labels_queued == len(fake_backend.labels)


@pytest.mark.slow
def test_a_label_queued_before_a_switch_goes_to_its_own_model(fake_backend, drive, wait_until, assert_labeled):
    fake_backend.registered.add(OTHER)
    marks: dict[str, int] = {}

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.predictions_of("fraud")) >= 50, "50 predictions of fraud")
        fake_backend.set_control("none", model=OTHER)
        await wait_until(lambda: len(fake_backend.predictions_of(OTHER)) >= 50, f"50 predictions of {OTHER}")
        marks["label_posts"] = len(fake_backend.label_posts)

    # No label falls due during the run: all of them wait in the queue across the switch, flushed at the end.
    simulator = drive(script, rps=50, label_delay_s=60, label_rate=1.0)
    assert marks["label_posts"] == 0
    # Every fraud prediction was made, and its label queued, before the switch.
    assert len(fake_backend.labels_at("fraud")) >= 50 and fake_backend.labels_at(OTHER)
    assert_labeled(fake_backend, simulator.stats.totals)
    assert simulator.stats.totals.labels_rejected == 0


@pytest.mark.slow
def test_a_404_for_the_model_backs_off_and_recovers_once_it_is_registered(fake_backend, drive, wait_until, caplog):
    fake_backend.registered = set()  # the stack started before the demo model was registered
    marks: dict[str, float] = {}

    async def script(simulator):
        await wait_until(lambda: fake_backend.arrivals, "a first prediction request")
        started = fake_backend.arrivals[0]
        await asyncio.sleep(3.0)  # three seconds of refusals: 150 requests at the full rate
        marks["refused"] = len(fake_backend.arrivals)
        marks["share"] = _full_rate_share(len(fake_backend.arrivals), 50, started)
        fake_backend.registered.add("fraud")
        await wait_until(lambda: simulator.stats.totals.ok >= 50, "50 predictions answered once registered")

    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = drive(script, rps=50, label_rate=0.0)
    assert marks["share"] < 0.5, marks  # it backed off
    totals = simulator.stats.totals
    assert 2 <= totals.errors["HTTP 404"] <= marks["refused"]  # and it kept retrying
    waiting = [r for r in caplog.records if "model 'fraud' is not registered: waiting for it" in r.message]
    assert len(waiting) == 1, caplog.text  # said once, not once per request
    assert "no model named 'fraud'" in waiting[0].message  # with the backend's reason
    assert "recovered" in caplog.text and totals.ok == len(fake_backend.predictions_of("fraud"))


@pytest.mark.slow
def test_a_model_that_refuses_card_transactions_is_explained_once_and_backed_off(
    fake_backend, drive, wait_until, caplog
):
    fake_backend.registered.add(OTHER)
    fake_backend.refuses_rows.add(OTHER)  # its schema is not the generator's transactions
    fake_backend.set_control("none", model=OTHER)
    marks: dict[str, float] = {}

    async def script(simulator):
        await wait_until(lambda: fake_backend.arrivals, "a first prediction request")
        started = fake_backend.arrivals[0]
        await asyncio.sleep(3.0)
        marks["share"] = _full_rate_share(len(fake_backend.arrivals), 50, started)
        # Another model named: its traffic starts at once, the previous model's back-off does not carry over.
        fake_backend.set_control("none", model="fraud")
        await wait_until(lambda: simulator.stats.totals.ok >= 50, "50 predictions of fraud")

    with caplog.at_level(logging.INFO, logger="simulator"):
        simulator = drive(script, rps=50, label_rate=0.0)
    assert marks["share"] < 0.5, marks
    assert simulator.stats.totals.errors["HTTP 422"] >= 2
    explained = [r.message for r in caplog.records if "refuses the simulator's card transactions" in r.message]
    assert len(explained) == 1 and f"model {OTHER!r}" in explained[0], caplog.text
    assert "body.age_months" in explained[0]  # the backend's reason, naming the field
    assert fake_backend.predictions_of(OTHER) == set()


@pytest.mark.parametrize("sim_model", [None, "fraud"])
@pytest.mark.slow
def test_sim_model_is_used_until_the_backend_answers_and_without_it_traffic_waits(
    fake_backend, drive, wait_until, sim_model
):
    fake_backend.retry_after = "2"
    fake_backend.throttled["/api/v1/simulator"] = 2  # the first two reads of the control row fail

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.throttled_at) == 2, "two refused reads")
        await wait_until(lambda: simulator.control.model == "fraud", "the backend named the model")
        await wait_until(lambda: simulator.stats.totals.ok >= 20, "20 predictions")

    drive(script, rps=50, label_rate=0.0, model=sim_model)
    first_named = fake_backend.throttled_at[-1]  # the control row was read only after this
    if sim_model is None:
        assert min(fake_backend.arrivals) > first_named  # nothing sent before the backend named a model
    else:
        assert min(fake_backend.arrivals) < first_named  # SIM_MODEL's traffic went out meanwhile
    assert set(fake_backend.arrival_models) == {"fraud"}
