"""``python -m app.serve`` with several server processes: every answer is stored once and
summarized once, and every scrape of /metrics, whichever process answers it, counts the
requests of all of them."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from sqlalchemy import func, select

from driftwatch_core.db.models import Prediction, PredictionSummary
from driftwatch_testing import TEST_PREDICT_KEY, auth, run_backend

REQUESTS = 120
pytestmark = pytest.mark.slow


def _sample(text: str, name: str, **labels: str) -> float:
    """One sample of the exposition text (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_server_processes_store_every_answer_and_count_every_request(
    database_url, demo_model, clean_db, tmp_path, transaction
):
    metrics_dir = tmp_path / "metrics"
    log = tmp_path / "backend.log"
    with run_backend(
        database_url,
        log,
        BACKEND_WORKERS="2",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        RATE_LIMIT_PER_KEY="off",
    ) as base:
        ids = set()
        for _ in range(REQUESTS):  # a connection each: the kernel hands them to either process
            with httpx.Client(base_url=base, headers=auth(TEST_PREDICT_KEY), timeout=30) as c:
                answer = c.post("/api/v1/predict", json=transaction)
                assert answer.status_code == 200, answer.text
                ids.add(answer.json()["prediction_id"])
        assert len(ids) == REQUESTS
        pids = {m.group(1) for f in metrics_dir.glob("*.db") if (m := re.search(r"_(\d+)\.db$", f.name))}
        assert len(pids) == 2, f"expected both server processes to keep metrics, got files {sorted(pids)}"

        scrapes = []
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=30) as c:
                scrapes.append(c.get("/metrics").text)
        for text in scrapes:
            answered = _sample(
                text, "driftwatch_http_requests_total", method="POST", route="/api/v1/predict", status="200"
            )
            assert answered == REQUESTS, text[:2000]
            assert _sample(text, "driftwatch_predict_batch_rows_sum") == REQUESTS
            assert f'driftwatch_model_info{{model="fraud",version="{demo_model}"}}' in text
        deadline = time.monotonic() + 60  # the writers drain within their interval; a busy machine is slower
        with httpx.Client(base_url=base, timeout=30) as c:
            while (
                stored := _sample(c.get("/metrics").text, "driftwatch_predictions_stored_total")
            ) != REQUESTS and time.monotonic() < deadline:
                time.sleep(0.1)
    with clean_db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Prediction)) == REQUESTS
        # each process summarized what it stored, in the same transactions, under its own writer id
        summaries = conn.execute(select(PredictionSummary.writer_id, PredictionSummary.n_rows)).all()
    assert sum(n for _, n in summaries) == REQUESTS
    assert len({writer for writer, _ in summaries}) == 2
    assert stored == REQUESTS
    assert "POST /api/v1/predict" not in log.read_text()  # the access log is off by default
