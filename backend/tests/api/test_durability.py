"""What a stopped backend keeps: SIGTERM stores every acknowledged prediction."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from driftwatch_core.db.models import Prediction
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import TEST_PREDICT_KEY, auth, run_backend


@pytest.mark.slow
def test_sigterm_flushes_every_queued_prediction(database_url, demo_model, engine, tmp_path):
    rows = TransactionGenerator(seed=9).sample(300).records()
    # A long write interval keeps the predictions queued when the signal comes.
    with run_backend(
        database_url, tmp_path / "backend.log", WRITE_INTERVAL_MS="60000", WRITE_BATCH_SIZE="100000"
    ) as base:
        response = httpx.post(
            f"{base}/api/v1/predict/batch", json={"rows": rows}, timeout=30, headers=auth(TEST_PREDICT_KEY)
        )
        assert response.status_code == 200
        ids = {p["prediction_id"] for p in response.json()["predictions"]}
        stats = httpx.get(f"{base}/api/v1/stats", timeout=5).json()
        assert stats["pending_writes"] == 300  # acknowledged, not yet stored
    with engine.connect() as conn:
        stored = {str(i) for i in conn.execute(select(Prediction.id)).scalars()}
        assert conn.execute(select(func.count()).select_from(Prediction)).scalar_one() == 300
    assert stored == ids
