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
from driftwatch_testing import TEST_PREDICT_KEY, auth, run_backend

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


def test_health_checks_send_a_key_when_reads_need_one(model_dir, database_url, clean_db, tmp_path):
    with run_backend(database_url, model_dir, tmp_path / "backend.log", REQUIRE_AUTH_FOR_READS="true") as url:
        row = TransactionGenerator(seed=3).sample(1).records()[0]
        assert httpx.post(f"{url}/api/v1/predict", json=row, headers=auth(TEST_PREDICT_KEY)).status_code == 200
        deadline = time.monotonic() + 30
        while _check("simulator", url, SIM_API_KEY=TEST_PREDICT_KEY).returncode != 0:
            assert time.monotonic() < deadline, "the stored prediction never showed in /stats"
            time.sleep(0.5)

        assert _check("backend", url).returncode == 0  # readiness stays open
        refused = _check("simulator", url)
        assert refused.returncode == 1 and "401" in refused.stderr
        # The worker's container gets PREDICT_API_KEYS as HEALTHCHECK_API_KEY: the first key is used.
        assert _check("simulator", url, HEALTHCHECK_API_KEY=f"{TEST_PREDICT_KEY},another").returncode == 0
