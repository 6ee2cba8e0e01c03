"""Ground truth: the generator's labels, after the delay, in batches, from a bounded queue."""

from __future__ import annotations

import logging
import random
import time

import pytest

from simulator.labels import LabelQueue
from simulator.stats import Stats


@pytest.mark.parametrize("scenario", ["none", "concept"])
def test_labels_are_the_generators_truth_not_the_models_answer(fake_backend, simulate, recording_generator, scenario):
    fake_backend.set_control(scenario)
    generator = recording_generator(seed=5, fraud_rate=0.2)
    simulator = simulate({"generator": generator}, rps=50, duration_s=2.0, label_delay_s=0.3)
    assert len(fake_backend.predictions) == pytest.approx(100, rel=0.1)
    assert fake_backend.labels, "no labels were posted"
    for pid, label in fake_backend.labels.items():
        sent = fake_backend.predictions[pid]
        assert generator.truth[generator.key(sent)] is label
    # The fake model says "legit" every time; the labels carry real fraud.
    assert 0.05 < sum(fake_backend.labels.values()) / len(fake_backend.labels) < 0.5
    share = len(fake_backend.labels) / len(fake_backend.predictions)
    assert share == pytest.approx(0.8, abs=0.1)
    totals = simulator.stats.totals
    assert totals.labels_sent == len(fake_backend.labels) == totals.labels_queued


def test_labels_wait_for_their_jittered_delay_and_go_in_batches(fake_backend, simulate):
    simulate(rps=50, duration_s=3.0, label_delay_s=1.5, label_rate=1.0)
    first_prediction = min(fake_backend.arrivals)
    first_label_post = fake_backend.label_posts[0][0]
    assert first_label_post - first_prediction >= 1.5 * 0.8
    sizes = [n for _, n in fake_backend.label_posts]
    assert sum(sizes) == len(fake_backend.predictions) and max(sizes) > 5


def test_the_label_delay_scenario_overrides_the_delay(fake_backend, simulate):
    fake_backend.set_control("label_delay", {"delay_s": 30})
    simulator = simulate(rps=20, duration_s=2.0, label_delay_s=0.2, shutdown_timeout_s=0.5)
    # Not one label was due during the run; the shutdown flush sends them early.
    first_label_post = fake_backend.label_posts[0][0]
    assert first_label_post > max(fake_backend.arrivals)
    assert simulator.stats.totals.labels_sent == len(fake_backend.labels) > 0


def test_a_full_queue_drops_the_oldest_and_counts_them(caplog):
    stats = Stats()
    queue = LabelQueue(maxlen=3, stats=stats, rng=random.Random(1))
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            queue.add(f"p{i}", bool(i % 2), delay_s=10.0 + 10 * i)
    assert len(queue) == 3 and stats.totals.labels_dropped == 2
    assert caplog.text.count("label queue full") == 1  # one warning, not one per label
    assert [item.prediction_id for item in queue.pop(10)] == ["p2", "p3", "p4"]


def test_only_due_labels_are_popped_soonest_first():
    queue = LabelQueue(maxlen=100, stats=Stats(), rng=random.Random(2))
    queue.add("late", True, delay_s=100.0)
    queue.add("soon", False, delay_s=0.0)
    queue.add("sooner", True, delay_s=0.0)
    due = queue.pop(10, due_by=time.monotonic())
    assert {i.prediction_id for i in due} == {"soon", "sooner"} and len(queue) == 1
    assert [i.prediction_id for i in queue.pop(10)] == ["late"]
