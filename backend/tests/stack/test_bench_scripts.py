"""The benchmark's scripts: the naive reference server (scripts/bench_naive_server.py) for real on
a throw-away database, with the benchmark's own HTTP client (scripts/bench_predict.py), and the
PSS function of scripts/measure_memory.py. No timings are asserted: they belong to a benchmark run."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from sqlalchemy import create_engine, text

from driftwatch_core.db.engine import normalize_url
from driftwatch_core.features import example_transaction
from driftwatch_testing import free_port, temporary_database, wait_http

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = ROOT / "scripts"


def _script(name: str) -> ModuleType:
    if str(SCRIPTS) not in sys.path:  # a script imports its siblings, as when it is run
        sys.path.append(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _stored(url: str) -> list[dict]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM naive_predictions"))]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_naive_server_scores_stores_and_refuses_a_bad_field(model_dir, tmp_path):
    with temporary_database(tmp_path) as database_url:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "MODEL_DIR": str(model_dir)}
        with open(tmp_path / "naive.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(SCRIPTS / "bench_naive_server.py"), "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/api/v1/ready")
            row = example_transaction()
            answer = httpx.post(f"{base}/api/v1/predict", json=row, timeout=10)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert 0 <= body["fraud_probability"] <= 1
            stored = _stored(database_url)
            assert len(stored) == 1
            assert str(stored[0]["id"]) == body["prediction_id"]
            features = stored[0]["features"]
            assert (json.loads(features) if isinstance(features, str) else features) == row

            bad = httpx.post(f"{base}/api/v1/predict", json={**row, "merchant_category": "spaceship"}, timeout=10)
            assert bad.status_code == 422
            assert httpx.post(f"{base}/api/v1/predict", json={**row, "amount": -5}, timeout=10).status_code == 422
            assert len(_stored(database_url)) == 1

            # The benchmark's lean keep-alive client speaks to it: two requests on one connection.
            bench = _script("bench_predict")

            async def two() -> tuple[list[int], int]:
                client = bench.Client("127.0.0.1", port, None)
                rec = bench.Recorder()
                payload = client.request(bench.PREDICT, json.dumps(row).encode())
                statuses = [await client.send(payload, rec, 0.0) for _ in range(2)]
                open_connections = len(client.idle)
                client.close()
                return statuses, open_connections

            statuses, open_connections = asyncio.run(two())
            assert statuses == [200, 200]
            assert open_connections == 1
            assert len(_stored(database_url)) == 3
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_measure_memory_reads_the_pss_of_a_process_tree():
    memory = _script("measure_memory")
    own = memory.pss_kb(os.getpid())
    assert own > 0
    total, processes = memory.tree_pss_kb([os.getpid()])
    assert processes >= 1 and total > 0
    assert memory.pss_kb(2**22 + 1) == 0  # no such process
