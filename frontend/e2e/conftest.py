"""End-to-end fixtures: the real local stack (./scripts/setup.sh --local) and headless Chromium.

The stack gets its own throw-away database and ports; ./scripts/stop.sh (same RUN_DIR)
stops it at the end of the session. Without a Chromium the tests skip, unless
REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.testing import free_port, temporary_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1440, "height": 900}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Fast cycles so drift, alerts and labels show up within the test's patience.
STACK_ENV = {
    "WORKER_INTERVAL_S": "5", "WORKER_WINDOW_MINUTES": "1", "WORKER_MIN_SAMPLES": "100",
    "SIM_RPS": "20", "SIM_LABEL_DELAY_S": "3", "SIM_SCENARIO": "none", "SIM_AUTO_DRIFT": "0",
    "LOG_LEVEL": "INFO",
}


@dataclass(frozen=True)
class Stack:
    frontend_url: str
    backend_url: str
    run_dir: Path
    env: dict[str, str]

    def setup(self) -> None:
        """Run `./scripts/setup.sh --local`: it starts whatever of the stack is not running."""
        started = subprocess.run(
            [str(ROOT / "scripts" / "setup.sh"), "--local"], env=self.env, cwd=ROOT,
            capture_output=True, text=True, timeout=600,
        )
        if started.returncode != 0:
            pytest.fail(f"setup.sh --local failed:\n{started.stdout}\n{started.stderr}\n{_logs(self.run_dir)}", pytrace=False)

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "stop.sh")], env=self.env, cwd=ROOT, capture_output=True, timeout=120)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _logs(run_dir: Path, lines: int = 25) -> str:
    parts = []
    for log in sorted(run_dir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {log.name}\n" + "\n".join(tail))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium at /usr/bin/chromium (apt-get install -y chromium) or CHROMIUM_PATH"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def stack(browser, model_dir, tmp_path_factory) -> Iterator[Stack]:
    """backend, worker, simulator and the built dashboard, as `./scripts/setup.sh --local` starts them."""
    run_dir = tmp_path_factory.mktemp("stack")
    backend_port = free_port()
    while (frontend_port := free_port()) == backend_port:
        pass
    with temporary_database(run_dir) as database_url:
        env = {
            **os.environ, **STACK_ENV, "RUN_DIR": str(run_dir), "DATABASE_URL": database_url,
            "MODEL_DIR": str(model_dir), "BACKEND_PORT": str(backend_port), "FRONTEND_PORT": str(frontend_port),
        }
        env.pop("BACKEND_URL", None)
        stack = Stack(f"http://127.0.0.1:{frontend_port}", f"http://127.0.0.1:{backend_port}", run_dir, env)
        try:
            stack.setup()
            yield stack
        finally:
            stack.stop()


@pytest.fixture(scope="module")
def page(browser, stack):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(stack.frontend_url)
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
