"""Each service imports with its own requirements only, as its Docker image runs it.

For every service a fresh virtual environment gets that service's
requirements file and nothing else (not the test environment's packages);
then every module of the service's package is imported with the PYTHONPATH
its Dockerfile sets. An import the requirements do not cover (say the
generator starts using pandas, which the simulator image lacks) fails here
instead of at the image's start.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow

# service folder -> (its requirements, the packages it runs, modules not imported and why)
SERVICES = {
    "traffic-simulator": ("traffic-simulator/requirements.txt", ["simulator"], {}),
    "monitoring-worker": ("monitoring-worker/requirements.txt", ["worker"], {}),
    "backend": (
        "backend/requirements.txt",
        ["app"],
        {
            "app.testing": "test helpers (pytest), not part of the running service",
            "app.migrations.env": "Alembic's script: it runs a migration when imported",
        },
    ),
}

IMPORT_ALL = """
import importlib, pkgutil, sys
skip = set(sys.argv[2:])
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    if name not in skip and not any(name.startswith(s + ".") for s in skip):
        importlib.import_module(name)
print(len(names), "modules")
"""


def _image_pythonpath(service: str) -> str:
    """The PYTHONPATH the service's Dockerfile sets, mapped from /app to this checkout."""
    dockerfile = (ROOT / service / "Dockerfile").read_text()
    found = re.search(r"PYTHONPATH=(\S+)", dockerfile)
    paths = found.group(1).split(":") if found else ["/app"]
    return os.pathsep.join(str(ROOT / p.removeprefix("/app/")) if p != "/app" else str(ROOT / service) for p in paths)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_service_imports_with_its_own_requirements(service, tmp_path_factory):
    requirements, packages, skipped = SERVICES[service]
    venv = tmp_path_factory.mktemp(f"venv-{service}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(ROOT / requirements)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": _image_pythonpath(service),
    }
    for package in packages:
        result = subprocess.run(
            [str(python), "-c", IMPORT_ALL, package, *skipped],
            cwd=ROOT / service,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{service}: {result.stderr[-3000:]}"
        assert int(result.stdout.split()[0]) >= 5, result.stdout


def test_a_missing_requirement_is_caught(tmp_path):
    """The check can fail: the simulator's modules without pydantic-settings do not import."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    reqs = [
        line
        for line in (ROOT / "traffic-simulator/requirements.txt").read_text().splitlines()
        if not line.startswith("pydantic-settings")
    ]
    (tmp_path / "requirements.txt").write_text("\n".join(reqs) + "\n")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(tmp_path / "requirements.txt"),
        ],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [str(python), "-c", IMPORT_ALL, "simulator"],
        cwd=ROOT / "traffic-simulator",
        env={"PATH": os.environ["PATH"], "PYTHONPATH": _image_pythonpath("traffic-simulator")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "pydantic_settings" in result.stderr
