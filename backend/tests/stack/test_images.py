"""What each service's image holds, and that it imports with that and nothing more.

Checked without a Docker engine. The Dockerfiles of the Python services (found
through the real Compose binary's rendering of docker-compose.yml) copy only the
shared core, the pins and the service's own code, and set no PYTHONPATH. Then, for
every service, a fresh virtual environment gets what its build stage installs: the
files its build stage copies (without what .dockerignore leaves out, such as a
stale ``build/`` folder) laid out as in the image's /src, and the same ``pip
install`` arguments run there (the shared core, the service's requirements.txt,
the pins of constraints.txt), and nothing else. Every module of
the service's package is imported from the service's folder, as from the image's
WORKDIR. An import the requirements do not cover (the generator starting to use
pandas, which the simulator lacks) fails here instead of at the image's start.
The backend's environment then runs the image's entrypoint for real: it trains and
registers the demo model in an empty database, then runs the service's command.

The environments are built side by side, without byte-compiling (imports compile
what they use), from wheels kept in ``~/.cache/driftwatch/test-wheels`` (XDG_CACHE_HOME):
pip installs from there offline, and only when that fails (a first run, a changed pin
or requirement) does it download what the same arguments need into it and install
again. The requirements are resolved afresh every time; only the download is saved.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import compose
import pytest
from sqlalchemy import func, select

from driftwatch_core.db.models import ModelVersion, RegisteredModel

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"  # not the wrapper: it always exits 0
CORE = "backend/packages/driftwatch-core"
CONFIG_JSON = ["--env-file", os.devnull, "config", "--format", "json"]  # the file alone, no .env
#: Wheels kept between runs (and between clones of the project), as pip's own cache would keep them.
WHEELHOUSE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "driftwatch" / "test-wheels"
#: What pip needs to build the shared core from its folder (its pyproject's build-system).
BUILD_REQUIRES = tomllib.loads((ROOT / CORE / "pyproject.toml").read_text())["build-system"]["requires"]
pytestmark = pytest.mark.slow  # every test renders the compose file with the real binary

# compose service -> (its folder, its package, what else its image may copy)
PYTHON_SERVICES = {
    "backend": ("backend", "app", {"backend/alembic.ini", "backend/docker-entrypoint.sh"}),
    "monitoring-worker": ("monitoring-worker", "worker", set()),
    "traffic-simulator": ("traffic-simulator", "simulator", set()),
}
# What a service's environment must not hold: the test helpers; for the worker the
# serving stack; for the simulator a database layer and pandas.
NOT_INSTALLED = {
    "backend": ["driftwatch_testing", "pytest"],
    "monitoring-worker": ["driftwatch_testing", "pytest", "fastapi", "xgboost"],
    "traffic-simulator": ["driftwatch_testing", "pytest", "sqlalchemy", "pandas"],
}

IMPORT_ALL = """
import importlib, importlib.util, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
absent = [m for m in sys.argv[2:] if importlib.util.find_spec(m) is None]
core = importlib.import_module("driftwatch_core").__file__
print(json.dumps({"modules": len(names), "absent": absent, "core": core}))
"""


def copies(dockerfile: str) -> list[tuple[str, list[str]]]:
    """(stage, sources) of every COPY that reads the build context, in order."""
    stage, found = "", []
    for line in dockerfile.splitlines():
        words = line.split()
        if words[:1] == ["FROM"]:
            stage = words[3] if len(words) > 3 and words[2].upper() == "AS" else "final"
        elif words[:1] == ["COPY"] and not any(w.startswith("--from=") for w in words):
            found.append((stage, [w for w in words[1:-1] if not w.startswith("--")]))
    return found


def pip_install_args(dockerfile: str) -> list[str]:
    found = re.search(r"^RUN /opt/venv/bin/pip install (.+)$", dockerfile, re.M)
    return shlex.split(found.group(1)) if found else []


def image_problems(service: str, dockerfile: str) -> list[str]:
    """Why the image of ``service`` would hold more (or other) than the shared core and its own code."""
    folder, package, extra = PYTHON_SERVICES[service]
    allowed = {
        "build": {"constraints.txt", CORE, f"{folder}/requirements.txt"},
        "final": {f"{folder}/{package}", "scripts/healthcheck.py", *extra},
    }
    problems = [
        f"{stage} stage copies {source}"
        for stage, sources in copies(dockerfile)
        for source in sources
        if source not in allowed.get(stage, set())
    ]
    if "PYTHONPATH" in dockerfile:
        problems.append("sets PYTHONPATH (the shared core is installed, not put on a path)")
    if pip_install_args(dockerfile) != [f"./{CORE}", "-r", f"{folder}/requirements.txt"]:
        problems.append("does not install the shared core with its own requirements.txt")
    return problems


@pytest.fixture(scope="module")
def dockerfiles() -> dict[str, str]:
    """compose service -> its Dockerfile's text, for the services built from this repository's Python."""
    result = subprocess.run(
        [str(COMPOSE_BIN), "-f", str(ROOT / "docker-compose.yml"), "--project-directory", str(ROOT), *CONFIG_JSON],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = {}
    for name, service in json.loads(result.stdout)["services"].items():
        build = service.get("build")
        if build and name in PYTHON_SERVICES:
            assert Path(build["context"]) == ROOT, f"{name} is built from {build['context']}, not the repository root"
            found[name] = (ROOT / build["dockerfile"]).read_text()
    return found


def test_each_image_copies_only_the_shared_core_and_its_own_code(dockerfiles):
    assert set(dockerfiles) == set(PYTHON_SERVICES)
    for name, dockerfile in dockerfiles.items():
        assert image_problems(name, dockerfile) == [], name


def test_the_check_refuses_an_image_that_borrows_another_services_code(dockerfiles):
    """The old way (the worker copying all of backend/app and finding it by PYTHONPATH) is refused."""
    old = dockerfiles["monitoring-worker"].replace(
        "COPY monitoring-worker/worker ./worker",
        "ENV PYTHONPATH=/app/backend:/app/monitoring-worker\nCOPY backend/app /app/backend/app\n"
        "COPY monitoring-worker/worker ./worker",
    )
    assert image_problems("monitoring-worker", old) == [
        "final stage copies backend/app",
        "sets PYTHONPATH (the shared core is installed, not put on a path)",
    ]


def build_context(dockerfile: str, src: Path) -> Path:
    """The build stage's copies of the repository, as Docker lays them out under /src."""
    ignored = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "*.pyc", "tests")
    for stage, sources in copies(dockerfile):
        for source in sources if stage == "build" else []:
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, src / source, ignore=ignored)
            else:
                (src / source).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, src / source)
    return src


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


_downloading = threading.Lock()  # one download into the wheelhouse at a time


def install(target: Path, args: list[str], src: Path) -> Path:
    """A fresh virtual environment in ``target`` holding what ``pip install ARGS`` run in ``src``
    (the image's /src) installs, and nothing else (not even pip); its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    python = target / "bin" / "python"
    offline = ["--python", str(python), "install", "--quiet", "--no-compile", "--no-index"]
    offline += ["--find-links", str(WHEELHOUSE), *args]
    done = _pip(*offline, cwd=src)
    if done.returncode != 0:  # a wheel is missing: fetch what these arguments need, then again
        with _downloading:
            fetched = _pip("download", "--quiet", "--dest", str(WHEELHOUSE), *BUILD_REQUIRES, *args, cwd=src)
        assert fetched.returncode == 0, fetched.stderr[-3000:]
        done = _pip(*offline, cwd=src)
    assert done.returncode == 0, done.stderr[-3000:]
    return python


#: The simulator's image without pydantic-settings: the check below must fail on it.
BROKEN = "traffic-simulator without pydantic-settings"


def _drop_pydantic_settings(src: Path) -> None:
    requirements = src / "traffic-simulator" / "requirements.txt"
    original = requirements.read_text().splitlines()
    lines = [line for line in original if line != "pydantic-settings"]
    assert len(lines) == len(original) - 1
    requirements.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def environments(dockerfiles, tmp_path_factory) -> dict[str, Path | BaseException]:
    """Each service's image environment (and ``BROKEN``), built side by side: its python, or why not."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    jobs = {service: (service, None) for service in PYTHON_SERVICES}
    jobs[BROKEN] = ("traffic-simulator", _drop_pydantic_settings)

    def build(name: str, service: str, change) -> Path:
        slug = re.sub(r"\W+", "-", name)
        src = build_context(dockerfiles[service], tmp_path_factory.mktemp(f"src-{slug}"))
        if change is not None:
            change(src)
        return install(tmp_path_factory.mktemp(f"venv-{slug}"), pip_install_args(dockerfiles[service]), src)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(build, name, *job) for name, job in jobs.items()}
    return {name: future.exception() or future.result() for name, future in futures.items()}


def _python(environments: dict[str, Path | BaseException], name: str) -> Path:
    outcome = environments[name]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _env(python: Path, **extra: str) -> dict[str, str]:
    """A clean environment for ``python``'s venv; its byte code is kept beside it, not in the checkout."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPYCACHEPREFIX": str(python.parent.parent / "pycache"),
        **extra,
    }


def _import_all(python: Path, service: str, *absent: str) -> subprocess.CompletedProcess:
    folder, package, _extra = PYTHON_SERVICES[service]
    return subprocess.run(
        [str(python), "-c", IMPORT_ALL, package, *absent],
        cwd=ROOT / folder,  # the image's WORKDIR; no PYTHONPATH
        env=_env(python),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("service", sorted(PYTHON_SERVICES))
def test_the_service_imports_with_what_its_image_installs(service, environments):
    result = _import_all(_python(environments, service), service, *NOT_INSTALLED[service])
    assert result.returncode == 0, f"{service}: {result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    assert report["modules"] >= 5, report
    assert sorted(report["absent"]) == sorted(NOT_INSTALLED[service]), f"{service}: {report}"
    # The core is an installed copy, not the checkout's source found by path.
    assert "site-packages" in report["core"] and not report["core"].startswith(str(ROOT)), report


def test_a_missing_requirement_is_caught(environments):
    """The check can fail: the simulator's modules without pydantic-settings do not import."""
    result = _import_all(_python(environments, BROKEN), "traffic-simulator")
    assert result.returncode != 0 and "pydantic_settings" in result.stderr


def _entrypoint(python: Path, database_url: str) -> subprocess.CompletedProcess:
    """The backend image's start: its entrypoint, then (here) a stand-in for the service's command."""
    return subprocess.run(
        ["sh", str(ROOT / "backend" / "docker-entrypoint.sh"), "python", "-c", "print('the service runs')"],
        cwd=ROOT / "backend",  # the image's WORKDIR
        env=_env(python, PATH=f"{python.parent}:{os.environ['PATH']}", DATABASE_URL=database_url),  # the image's PATH
        capture_output=True,
        text=True,
        timeout=600,  # the first start trains the demo model (about 10 s, more on a busy machine)
        check=False,
    )


def _fraud_versions(engine) -> tuple[str | None, int]:
    with engine.connect() as conn:
        champion = conn.scalar(select(RegisteredModel.champion_version).where(RegisteredModel.name == "fraud"))
        count = conn.scalar(select(func.count()).select_from(ModelVersion).where(ModelVersion.model_name == "fraud"))
    return champion, count


def test_the_backend_image_registers_the_demo_model_on_its_first_start_only(environments, database_url, clean_db):
    """With the backend image's packages and code: an empty database gets the demo model (trained
    there, registered as champion) before the service's command runs; the next start finds it."""
    python = _python(environments, "backend")
    first = _entrypoint(python, database_url)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    registered = re.search(r"registered fraud version (\S+) \(champion\)", first.stdout)
    assert registered, first.stdout
    assert first.stdout.index(registered.group(0)) < first.stdout.index("the service runs")
    assert _fraud_versions(clean_db) == (registered.group(1), 1)

    again = _entrypoint(python, database_url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"fraud is registered already (champion {registered.group(1)})" in again.stdout
    assert "the service runs" in again.stdout
    assert _fraud_versions(clean_db) == (registered.group(1), 1)
