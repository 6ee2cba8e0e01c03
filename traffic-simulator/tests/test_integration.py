"""The real backend (uvicorn, trained model, PostgreSQL) and the simulator together."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from sqlalchemy import select

from driftwatch_core.db.models import GroundTruth, Prediction
from driftwatch_testing import TEST_ADMIN_KEY, TEST_PREDICT_KEY, auth, run_backend
from simulator.config import Settings
from simulator.runner import Simulator


@pytest.mark.slow
def test_10_s_at_50_rps_stores_predictions_and_true_labels(
    model_dir, database_url, clean_db, tmp_path, recording_generator
):
    with run_backend(database_url, model_dir, tmp_path / "backend.log") as url:
        settings = Settings(
            backend_url=url,
            rps=50,
            duration_s=10.0,
            label_delay_s=1.0,
            label_rate=0.8,
            seed=21,
            control_interval_s=1.0,
            api_key=TEST_PREDICT_KEY,
        )
        generator = recording_generator(seed=21, fraud_rate=0.1)
        # Halfway through, the dashboard switches to the sudden scenario.
        switch = threading.Timer(
            5.0, lambda: httpx.put(f"{url}/api/v1/simulator", json={"scenario": "sudden"}, headers=auth(TEST_ADMIN_KEY))
        )
        switch.start()
        stats = asyncio.run(Simulator(settings, generator=generator).run()).totals

    with clean_db.connect() as conn:
        predictions = conn.execute(select(Prediction.id, Prediction.features, Prediction.created_at)).all()
        labels = dict(conn.execute(select(GroundTruth.prediction_id, GroundTruth.label)).all())
    assert len(predictions) == pytest.approx(500, rel=0.05)
    assert len(predictions) == stats.ok and not stats.errors and stats.skipped == 0
    # Every label that fell due went out (the rest were flushed at shutdown): ~80%.
    assert len(labels) == stats.labels_sent == stats.labels_queued
    assert len(labels) / len(predictions) == pytest.approx(0.8, abs=0.06)
    features = {pid: f for pid, f, _ in predictions}
    for pid, label in labels.items():
        assert generator.truth[generator.key(features[pid])] is label
    assert 0.03 < sum(labels.values()) / len(labels) < 0.5
    ordered = [f for _, f, _ in sorted(predictions, key=lambda p: p[2])]
    night = [f["hour_of_day"] <= 5 for f in ordered]
    assert sum(night[:150]) < 40 and sum(night[-100:]) > 90  # the switch reached the traffic
