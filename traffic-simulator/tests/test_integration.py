"""The real backend (``python -m app.serve``, the demo model registered, PostgreSQL) and the simulator together.

Runs end on conditions, not on a clock. Counts are held to the simulator's own accounting: a
prediction or a label batch whose answer never came back (a timeout, shutdown) may be stored or
not, so it is counted apart (errors of a transport kind, ``cancelled at shutdown``;
``labels_unconfirmed``) and bounds what is stored instead of breaking an equality.
"""

from __future__ import annotations

import logging

import httpx
import numpy as np
import pytest
from sqlalchemy import select

from driftwatch_core.db.models import GroundTruth, Prediction
from driftwatch_testing import TEST_ADMIN_KEY, TEST_PREDICT_KEY, auth, insert_demo, run_backend
from simulator.config import Settings
from simulator.stats import Totals

OTHER = "fraud-b"  # a second model with the demo model's schema


def _settings(url: str, **overrides) -> Settings:
    values = {
        "backend_url": url,
        "rps": 50,
        "label_delay_s": 1.0,
        "label_rate": 0.8,
        "seed": 21,
        "control_interval_s": 0.5,
        "log_interval_s": 2.0,
        "api_key": TEST_PREDICT_KEY,
        **overrides,
    }
    return Settings(**values)


def _stored(engine) -> tuple[list, dict]:
    with engine.connect() as conn:
        predictions = conn.execute(
            select(Prediction.id, Prediction.model_name, Prediction.features, Prediction.created_at)
            .where(Prediction.shadow_of.is_(None))
            .order_by(Prediction.created_at)
        ).all()
        labels = dict(conn.execute(select(GroundTruth.prediction_id, GroundTruth.label)).all())
    return predictions, labels


def _assert_accounted(totals: Totals, predictions: list, labels: dict) -> None:
    """What the backend stored is what the simulator counted, give or take the requests left unanswered."""
    refused = {kind: n for kind, n in totals.errors.items() if kind.startswith("HTTP") or kind == "bad response"}
    assert not refused, totals.errors
    assert totals.ok <= len(predictions) <= totals.ok + sum(totals.errors.values())
    assert totals.labels_rejected == 0  # every label went to the model that made its prediction
    assert totals.labels_queued == totals.labels_sent + totals.labels_dropped + totals.labels_unconfirmed
    assert totals.labels_sent <= len(labels) <= totals.labels_sent + totals.labels_unconfirmed


def _night_share(rows: list[dict]) -> float:
    return float(np.mean([r["hour_of_day"] <= 5 for r in rows]))


@pytest.mark.slow
def test_traffic_and_true_labels_follow_a_model_switch_on_the_real_backend(
    database_url, demo_model, clean_db, tmp_path, recording_generator, drive_simulator, wait_until
):
    insert_demo(clean_db, name=OTHER)
    generator = recording_generator(seed=21, fraud_rate=0.1)
    with run_backend(database_url, tmp_path / "backend.log") as url:

        async def script(simulator):
            await wait_until(lambda: simulator.stats.totals.ok >= 200, "200 predictions of fraud")
            # The dashboard moves the traffic to the other model, with a sudden shift.
            async with httpx.AsyncClient(base_url=url, headers=auth(TEST_ADMIN_KEY), timeout=30) as admin:
                switched = await admin.put("/api/v1/simulator", json={"scenario": "sudden", "model": OTHER})
                assert switched.status_code == 200, switched.text
            control = simulator.control
            await wait_until(lambda: (control.model, control.scenario.name) == (OTHER, "sudden"), "the switch")
            taken = simulator.stats.totals.ok
            await wait_until(lambda: simulator.stats.totals.ok >= taken + 200, f"200 predictions of {OTHER}")

        totals = drive_simulator(_settings(url), script, generator=generator).stats.totals

    predictions, labels = _stored(clean_db)
    _assert_accounted(totals, predictions, labels)
    assert totals.labels_queued / totals.ok == pytest.approx(0.8, abs=0.06)
    features = {pid: f for pid, _, f, _ in predictions}
    for pid, label in labels.items():
        assert generator.truth[generator.key(features[pid])] is label
    assert 0.03 < sum(labels.values()) / len(labels) < 0.5
    by_model = {m: [(pid, f) for pid, model, f, _ in predictions if model == m] for m in ("fraud", OTHER)}
    assert len(by_model["fraud"]) >= 200 and len(by_model[OTHER]) >= 150
    for model, rows in by_model.items():  # labels queued before the switch were stored for fraud too
        assert sum(pid in labels for pid, _ in rows) / len(rows) > 0.6, model
    # The fraud model saw normal traffic only; the other one ends in the cash-out.
    assert _night_share([f for _, f in by_model["fraud"]]) < 0.2
    assert _night_share([f for _, f in by_model[OTHER][-100:]]) > 0.9


@pytest.mark.slow
def test_traffic_waits_for_the_model_to_be_registered_then_flows(
    database_url, clean_db, tmp_path, drive_simulator, wait_until, caplog
):
    # The stack may start before the demo model is registered: nothing is registered here yet.
    with run_backend(database_url, tmp_path / "backend.log") as url:

        async def script(simulator):
            await wait_until(lambda: simulator.stats.totals.errors["HTTP 404"] >= 2, "two refused predictions")
            insert_demo(clean_db)  # the backend's registry poll picks it up
            await wait_until(lambda: simulator.stats.totals.ok >= 50, "50 predictions once registered")

        with caplog.at_level(logging.INFO, logger="simulator"):
            totals = drive_simulator(_settings(url, label_delay_s=0.2), script).stats.totals

    waiting = [r.message for r in caplog.records if "model 'fraud' is not registered: waiting for it" in r.message]
    assert len(waiting) == 1, caplog.text
    assert "recovered" in caplog.text
    predictions, labels = _stored(clean_db)
    totals.errors.pop("HTTP 404")
    _assert_accounted(totals, predictions, labels)
    assert labels and {model for _, model, _, _ in predictions} == {"fraud"}
