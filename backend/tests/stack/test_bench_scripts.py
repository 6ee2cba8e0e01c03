"""The benchmark's scripts run, each on a throw-away database or a test backend, at the smallest size:
the naive reference server (scripts/bench_naive_server.py) with the benchmark's own HTTP client,
scripts/bench_predict.py against Driftwatch it starts itself, scripts/bench_shadow.py against a
running backend, scripts/bench_worker.py, and scripts/measure_memory.py. No timings are asserted:
they belong to a benchmark run. The demo model's trained files come from the tests' cache
(DEMO_CACHE_DIR), so nothing here trains the full model. scripts/export_openapi.py is run by
tests/test_frontend_contract.py."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from driftwatch_core.db.engine import normalize_url
from driftwatch_core.db.models import RegisteredModel
from driftwatch_core.features import example_transaction
from driftwatch_testing import (
    DEFAULT_TEST_DATABASE_URL,
    TEST_ADMIN_KEY,
    demo_files,
    free_port,
    run_backend,
    temporary_database,
    wait_http,
)
from driftwatch_testing.demo import cache_dir

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


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,  # generous: a busy machine is slow, and no timing is asserted
        check=False,
    )


def _stored(url: str) -> list[dict]:
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM naive_predictions"))]
    finally:
        engine.dispose()


@pytest.fixture
def demo_cache() -> str:
    """The folder holding the demo model's trained files (``app.demo.model.trained``'s cache)."""
    demo_files()  # exported once per run; the trained files are kept beside it
    return str(cache_dir())


@pytest.fixture
def postgres(database_url) -> str:
    """An admin URL of the test PostgreSQL server, where the benchmarks make their own databases."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the benchmarks need PostgreSQL")
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)


@pytest.mark.slow
def test_the_naive_server_scores_stores_and_refuses_a_bad_field(demo_cache, tmp_path):
    with temporary_database(tmp_path) as database_url:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "DEMO_CACHE_DIR": demo_cache}
        with open(tmp_path / "naive.log", "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, str(SCRIPTS / "bench_naive_server.py"), "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_http(f"{base}/api/v1/ready", timeout_s=120)
            row = example_transaction()
            answer = httpx.post(f"{base}/api/v1/predict", json=row, timeout=10)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert 0 <= body["fraud_probability"] <= 1
            assert body["model_version"].startswith("demo-")  # the demo model's booster
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
                payload = client.request(bench.NAIVE_PREDICT, json.dumps(row).encode())
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


def _table(output: str) -> dict[str, str]:
    """The final table's rows (label -> the Driftwatch column), as bench_predict prints them."""
    rows = {}
    for line in output.splitlines():
        if found := re.match(r"^(\S.*?)\s{2,}(\S+)$", line):
            rows[found.group(1).strip()] = found.group(2)
    return rows


@pytest.mark.slow
def test_bench_predict_registers_the_demo_model_and_measures_driftwatch(postgres, demo_cache, tmp_path):
    """The whole benchmark on Driftwatch alone, every phase at its smallest: it registers the demo model
    in its throw-away database, starts the server, and every single and batch request is answered
    and stored."""
    result = _run(
        "scripts/bench_predict.py",
        *("--only", "driftwatch", "--pg-url", postgres, "--demo-cache", demo_cache, "--log-dir", str(tmp_path)),
        *("--duration", "1", "--warmup", "0.5", "--idle", "0.5", "--stats-delay", "0", "--workers", "1"),
        *("--rate", "10", "--concurrency", "2", "--batch", "20", "--batch-clients", "1", "--mixed-batch-rate", "1"),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "registered fraud version" in (tmp_path / "driftwatch.log").read_text()
    assert "errors {" not in result.stdout and "LOST" not in result.stdout, result.stdout
    table = _table(result.stdout)
    assert table["predict errors @10/s"] == "0" and table["batch 20 calls refused"] == "0", result.stdout
    assert float(table["batch 20 stored rows/s"]) > 0 and float(table["predict max stored/s (c=2)"]) > 0


@pytest.mark.slow
def test_bench_shadow_registers_a_challenger_in_shadow_and_retires_it(demo_model, database_url, clean_db, tmp_path):
    with run_backend(database_url, tmp_path / "backend.log") as url:
        result = _run(
            "scripts/bench_shadow.py",
            *("--url", url, "--key", TEST_ADMIN_KEY, "--rate", "10", "--duration", "1", "--rounds", "1"),
            *("--rows", "2000", "--switch-wait", "1.5"),
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    challenger = re.search(rf"challenger (\S+) registered in shadow of {demo_model}", result.stdout)
    assert challenger, result.stdout
    scored = re.search(r"shadow rows scored (\d+), dropped (\d+)", result.stdout)
    assert scored and int(scored.group(1)) > 0, result.stdout
    with clean_db.connect() as conn:
        model = conn.execute(select(RegisteredModel).where(RegisteredModel.name == "fraud")).one()
    assert model.champion_version == demo_model and model.challenger_version is None  # retired at the end


@pytest.mark.slow
def test_bench_worker_times_the_demo_model_and_registered_models(postgres):
    result = _run("scripts/bench_worker.py", "2000", "--models", "2", "--rows-per-model", "1000")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert re.search(r"fraud\s+2,000 rows \(summaries of 4 writers\): cycle .* steady", result.stdout), result.stdout
    for cycle in ("first cycle (references prepared)", "next cycle (references cached)"):
        assert f"2 registered models x 1,000 rows, {cycle}:" in result.stdout
    assert result.stdout.count("2 models ok") == 2, result.stdout


def test_measure_memory_reads_the_pss_of_a_process_tree():
    memory = _script("measure_memory")
    own = memory.pss_kb(os.getpid())
    assert own > 0
    total, processes = memory.tree_pss_kb([os.getpid()])
    assert processes >= 1 and total > 0
    assert memory.pss_kb(2**22 + 1) == 0  # no such process


def test_measure_memory_reports_the_services_setup_started(tmp_path, capsys):
    """Found by the pid files of RUN_DIR, as ./scripts/setup.sh --local writes them (this process
    stands in for the backend); a stale pid file is left out."""
    memory = _script("measure_memory")
    (tmp_path / "backend.pid").write_text(f"{os.getpid()}\n")
    (tmp_path / "worker.pid").write_text(f"{2**22 + 1}\n")  # no such process
    assert memory.main(["--run-dir", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["services"]) == {"backend"}
    assert report["services"]["backend"]["roots"] == [os.getpid()]
    assert report["total_mb"] == report["services"]["backend"]["pss_mb"] > 0
    assert report["source"] == f"pid files in {tmp_path}"

    empty = tmp_path / "empty"
    empty.mkdir()
    assert memory.main(["--run-dir", str(empty)]) == 1
    assert f"no running service has a pid file in {empty}" in capsys.readouterr().err
