"""Ground truth: the generator's labels, after the delay, in batches per model, from a bounded queue;
every label counted once (sent, rejected, dropped or unconfirmed), a post cut off by shutdown sent again."""

from __future__ import annotations

import logging
import random
import time

import pytest

from simulator.labels import LabelQueue, by_model
from simulator.stats import Stats


@pytest.mark.parametrize("scenario", ["none", "concept"])
@pytest.mark.slow
def test_labels_are_the_generators_truth_not_the_models_answer(
    fake_backend, drive, wait_until, recording_generator, scenario
):
    fake_backend.set_control(scenario)
    generator = recording_generator(seed=5, fraud_rate=0.2)

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.predictions) >= 100, "100 predictions")

    simulator = drive(script, {"generator": generator}, rps=50, label_delay_s=0.3)
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


@pytest.mark.slow
def test_labels_wait_for_their_jittered_delay_and_go_in_batches(fake_backend, simulate, assert_labeled):
    simulator = simulate(rps=50, duration_s=3.0, label_delay_s=1.5, label_rate=1.0)
    first_prediction = min(fake_backend.arrivals)
    first_label_post = fake_backend.label_posts[0][0]
    assert first_label_post - first_prediction >= 1.5 * 0.8
    sizes = [n for _, n in fake_backend.label_posts]
    assert sum(sizes) == len(fake_backend.labels) and max(sizes) > 5
    assert_labeled(fake_backend, simulator.stats.totals)


@pytest.mark.slow
def test_the_label_delay_scenario_overrides_the_delay(fake_backend, simulate):
    fake_backend.set_control("label_delay", {"delay_s": 30})
    simulator = simulate(rps=20, duration_s=2.0, label_delay_s=0.2, shutdown_timeout_s=0.5)
    # Not one label was due during the run; the shutdown flush sends them early.
    first_label_post = fake_backend.label_posts[0][0]
    assert first_label_post > max(fake_backend.arrivals)
    assert simulator.stats.totals.labels_sent == len(fake_backend.labels) > 0


@pytest.mark.slow
def test_a_label_post_cut_off_at_shutdown_is_sent_again_not_lost(fake_backend, drive, wait_until, assert_labeled):
    """The baseline's flaky count: a batch in flight when shutdown cancelled the sender was stored by the
    backend but neither counted sent nor queued again. Now it goes back into the queue and the flush
    sends it again (the backend answers a label it holds as unchanged)."""
    fake_backend.feedback_delay_s = 1.0

    def in_flight() -> bool:
        posts = sum(p.endswith("/feedback") for _, _, p, _ in fake_backend.requests)
        return posts > len(fake_backend.label_posts)

    async def script(simulator):
        await wait_until(in_flight, "a label post waiting for its answer")  # shutdown cuts it off

    simulator = drive(script, rps=50, label_delay_s=0.1, label_rate=1.0)
    totals = simulator.stats.totals
    assert totals.labels_sent == totals.labels_queued == len(fake_backend.labels) > 0
    assert totals.labels_unconfirmed == totals.labels_dropped == 0
    assert_labeled(fake_backend, totals)


@pytest.mark.slow
def test_labels_posted_without_an_answer_by_the_deadline_are_counted_unconfirmed(fake_backend, drive, wait_until):
    """A post the flush gave up on may have been stored: it is counted apart from the dropped ones."""
    fake_backend.feedback_delay_s = 2.0  # the shutdown flush allows 0.5 s

    async def script(simulator):
        await wait_until(lambda: len(fake_backend.predictions) >= 20, "20 predictions")

    simulator = drive(script, rps=50, label_delay_s=60, label_rate=1.0, shutdown_timeout_s=1.0)
    totals = simulator.stats.totals
    assert totals.labels_sent == totals.labels_dropped == 0
    assert totals.labels_unconfirmed == totals.labels_queued == len(fake_backend.predictions)
    deadline = time.monotonic() + 60
    while len(fake_backend.labels) < totals.labels_unconfirmed:  # the backend did store them, later
        assert time.monotonic() < deadline, "the fake backend never stored the labels"
        time.sleep(0.1)


def test_a_full_queue_drops_the_oldest_and_counts_them(caplog):
    stats = Stats()
    queue = LabelQueue(maxlen=3, stats=stats, rng=random.Random(1))
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            queue.add("fraud", f"p{i}", bool(i % 2), delay_s=10.0 + 10 * i)
    assert len(queue) == 3 and stats.totals.labels_dropped == 2
    assert caplog.text.count("label queue full") == 1  # one warning, not one per label
    assert [item.prediction_id for item in queue.pop(10)] == ["p2", "p3", "p4"]


def test_only_due_labels_are_popped_soonest_first():
    queue = LabelQueue(maxlen=100, stats=Stats(), rng=random.Random(2))
    queue.add("fraud", "late", True, delay_s=100.0)
    queue.add("fraud", "soon", False, delay_s=0.0)
    queue.add("fraud-b", "sooner", True, delay_s=0.0)
    due = queue.pop(10, due_by=time.monotonic())
    assert {i.prediction_id for i in due} == {"soon", "sooner"} and len(queue) == 1
    assert [i.prediction_id for i in queue.pop(10)] == ["late"]


def test_a_batch_is_split_by_model_each_in_due_order():
    queue = LabelQueue(maxlen=100, stats=Stats(), rng=random.Random(3))
    for i, model in enumerate(["fraud", "fraud-b", "fraud", "fraud-b", "fraud"]):
        queue.add(model, f"p{i}", True, delay_s=float(i))
    groups = {model: [i.prediction_id for i in items] for model, items in by_model(queue.pop(10))}
    assert groups == {"fraud": ["p0", "p2", "p4"], "fraud-b": ["p1", "p3"]}


def test_labels_given_up_count_as_unconfirmed_when_posted_else_dropped():
    stats = Stats()
    queue = LabelQueue(maxlen=100, stats=stats, rng=random.Random(4))
    for i in range(3):
        queue.add("fraud", f"p{i}", False, delay_s=0.0)
    items = queue.pop(10)
    items[0].posted = True
    queue.discard(items)
    assert (stats.totals.labels_unconfirmed, stats.totals.labels_dropped) == (1, 2)
