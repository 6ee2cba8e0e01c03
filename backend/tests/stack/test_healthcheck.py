"""The containers' health checks (scripts/healthcheck.py) against a real backend whose reads need a key."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import TEST_ADMIN_KEY, TEST_PREDICT_KEY, add_run, auth, insert_demo, run_backend

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def _check(name: str, url: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], "BACKEND_URL": url, **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "healthcheck.py"), name],
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _until_healthy(name: str, url: str, what: str, **env: str) -> None:
    deadline = time.monotonic() + 30
    while _check(name, url, **env).returncode != 0:
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def test_health_checks_send_a_key_when_reads_need_one(demo_model, database_url, clean_db, tmp_path):
    insert_demo(clean_db, name="other")  # a second model the simulator can be switched to
    with run_backend(database_url, tmp_path / "backend.log", REQUIRE_AUTH_FOR_READS="true") as url:
        row = TransactionGenerator(seed=3).sample(1).records()[0]
        assert httpx.post(f"{url}/api/v1/predict", json=row, headers=auth(TEST_PREDICT_KEY)).status_code == 200
        _until_healthy("simulator", url, "the stored prediction never showed in /stats", SIM_API_KEY=TEST_PREDICT_KEY)

        assert _check("backend", url).returncode == 0  # readiness stays open
        refused = _check("simulator", url)
        assert refused.returncode == 1 and "401" in refused.stderr
        # The worker's container gets PREDICT_API_KEYS as HEALTHCHECK_API_KEY: the first key is used.
        assert _check("simulator", url, HEALTHCHECK_API_KEY=f"{TEST_PREDICT_KEY},another").returncode == 0

        # The worker is judged by the default model's newest monitoring run: none yet, unhealthy.
        assert _check("worker", url, HEALTHCHECK_API_KEY=TEST_PREDICT_KEY).returncode == 1
        add_run(clean_db)  # a cycle started just now
        _until_healthy("worker", url, "a fresh run never made the worker healthy", HEALTHCHECK_API_KEY=TEST_PREDICT_KEY)

        # The simulator is judged by the model it sends to: switched to one without traffic, unhealthy.
        switch = httpx.put(
            f"{url}/api/v1/simulator", json={"scenario": "none", "model": "other"}, headers=auth(TEST_ADMIN_KEY)
        )
        assert switch.status_code == 200, switch.text
        assert _check("simulator", url, SIM_API_KEY=TEST_PREDICT_KEY).returncode == 1
        scored = httpx.post(f"{url}/api/v1/models/other/predict", json=row, headers=auth(TEST_PREDICT_KEY))
        assert scored.status_code == 200, scored.text
        _until_healthy("simulator", url, "the other model's prediction never showed", SIM_API_KEY=TEST_PREDICT_KEY)
