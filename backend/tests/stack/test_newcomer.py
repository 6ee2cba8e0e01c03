"""A newcomer's first minutes: fresh clone, one command up, one command down.

Runs ./scripts/setup.sh --local from a fresh clone of the committed project
with default settings (SQLite, the demo model registered on first start), on free
ports, and the settings file (ENV_FILE) in a temporary folder: the first run writes
the API keys there, the simulator sends its traffic with the predict key, and
the API refuses whoever has no key.
What this test run has already made is reused rather than made again: its virtual
environment (VENV), so the Python packages are not downloaded a second time, and the
demo model's trained files (DEMO_CACHE_DIR: setup.sh still registers them in the new
database with python -m app.demo, as on any first start). Everything else comes from
the clone's own files. Most of the test's time is the worker's default 30 s cadence:
the first drift result comes from its second cycle.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import demo_files, free_port
from driftwatch_testing.demo import cache_dir

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _eventually(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            value = check()
            if value:
                return value
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"timed out after {timeout_s:.0f}s waiting for {what}"
        time.sleep(1)


def _pids(run_dir: Path) -> dict[str, int]:
    return {p.stem: int(p.read_text()) for p in run_dir.glob("*.pid")}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture
def clone(tmp_path) -> Path:
    target = tmp_path / "driftwatch"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def _keys(env_file: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)


def _check_the_keys(api: str, keys: dict[str, str]) -> None:
    """No key: 401; the predict key scores but cannot switch scenarios; the admin key can."""
    row = TransactionGenerator(seed=1).sample(1).records()[0]
    refused = httpx.post(f"{api}/predict", json=row, timeout=10)
    assert refused.status_code == 401 and refused.headers.get("x-request-id")
    scored = httpx.post(f"{api}/predict", json=row, headers={"X-API-Key": keys["PREDICT_API_KEYS"]}, timeout=10)
    assert scored.status_code == 200, scored.text
    switch = {"scenario": "none"}
    predict_key = {"X-API-Key": keys["PREDICT_API_KEYS"]}
    assert httpx.put(f"{api}/simulator", json=switch, headers=predict_key, timeout=10).status_code == 403
    admin_key = {"X-API-Key": keys["ADMIN_API_KEYS"]}
    assert httpx.put(f"{api}/simulator", json=switch, headers=admin_key, timeout=10).status_code == 200


def test_fresh_clone_starts_with_one_command_and_stops_with_another(clone, tmp_path):
    backend, frontend = free_port(), free_port()
    env_file = tmp_path / "settings" / "driftwatch.env"
    env_file.parent.mkdir()
    demo_files()  # the demo model's trained files are in the tests' cache from here on
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "VENV": str(Path(sys.executable).parent.parent),
        "DEMO_CACHE_DIR": str(cache_dir()),
        "BACKEND_PORT": str(backend),
        "FRONTEND_PORT": str(frontend),
        "ENV_FILE": str(env_file),
    }
    run_dir = clone / ".run"
    pids: dict[str, int] = {}
    started = time.monotonic()
    try:
        setup = subprocess.run(
            ["./scripts/setup.sh", "--local"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        assert f"http://localhost:{frontend}" in setup.stdout
        # The demo model was registered in the new database, like any upload, before anything started.
        registered = re.search(r"registered fraud version (\S+) \(champion\)", setup.stdout)
        assert registered and setup.stdout.index(registered.group(0)) < setup.stdout.index("starting backend")
        assert registered.group(0) in (run_dir / "demo.log").read_text()
        assert f"API keys are in {env_file}: sign in to the dashboard with ADMIN_API_KEYS" in setup.stdout
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and not (clone / ".env").exists()
        keys = _keys(env_file)
        assert keys["SIM_API_KEY"] == keys["PREDICT_API_KEYS"] != keys["ADMIN_API_KEYS"]
        pids = _pids(run_dir)
        assert set(pids) == {"backend", "worker", "simulator", "frontend"}

        api = f"http://127.0.0.1:{backend}/api/v1"
        page = httpx.get(f"http://127.0.0.1:{frontend}/", timeout=5)
        assert page.status_code == 200 and '<div id="root"' in page.text
        # The dashboard's proxy reaches the API.
        assert httpx.get(f"http://127.0.0.1:{frontend}/api/v1/health", timeout=5).status_code == 200

        # The simulator's traffic goes through: it was handed the predict key.
        first = httpx.get(f"{api}/stats", timeout=5).json()["total_predictions"]
        _eventually(
            lambda: httpx.get(f"{api}/stats", timeout=5).json()["total_predictions"] > first + 10,
            30,
            "the prediction count to grow",
        )
        _check_the_keys(api, keys)
        models = httpx.get(f"{api}/models", timeout=5).json()
        assert [(m["name"], m["is_default"]) for m in models] == [("fraud", True)], models
        _eventually(lambda: httpx.get(f"{api}/drift", timeout=5).json()["features"], 120, "a drift result")
        print(f"stack up with drift results after {time.monotonic() - started:.0f} s")

        again = subprocess.run(
            ["./scripts/setup.sh", "--local"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert again.returncode == 0, again.stderr[-2000:]
        assert "already running" in again.stdout and _pids(run_dir) == pids
        assert f"fraud is registered already (champion {registered.group(1)})" in again.stdout
        assert _keys(env_file) == keys and "generated" not in again.stdout
    finally:
        stop = subprocess.run(
            ["./scripts/stop.sh"], cwd=clone, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert stop.returncode == 0, stop.stderr
    assert not list(run_dir.glob("*.pid"))
    leftovers = [pid for pid in pids.values() if _alive(pid)]
    for pid in leftovers:  # don't leave them running for the next test
        os.killpg(pid, signal.SIGKILL)
    assert not leftovers, "stop.sh left processes running"
    assert not _port_open(backend) and not _port_open(frontend)
