"""End-to-end fixtures: the real local stack (./scripts/setup.sh --local) and headless Chromium.

The stack gets its own throw-away database, ports and settings file (ENV_FILE in its
run directory, never the project's .env): setup.sh writes fresh API keys there on its
first run, and the tests sign in with the admin key read back from it, as a newcomer
would. ./scripts/stop.sh (same RUN_DIR) stops the stack at the end of the session.
Without a Chromium the tests skip, unless REQUIRE_BROWSER=1 (CI), where a missing
browser fails the run.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from driftwatch_testing import free_port, temporary_database
from driftwatch_testing.browser import chromium
from driftwatch_testing.demo import cache_dir, demo_files

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1440, "height": 900}
# Fast cycles so drift, alerts and labels show up within the test's patience.
STACK_ENV = {
    "WORKER_INTERVAL_S": "5",
    "WORKER_WINDOW_MINUTES": "1",
    "WORKER_MIN_SAMPLES": "100",
    "SIM_RPS": "20",
    "SIM_LABEL_DELAY_S": "3",
    "SIM_SCENARIO": "none",
    "SIM_AUTO_DRIFT": "0",
    "LOG_LEVEL": "INFO",
    # The act-on-drift loop (test_loop.py) on the same clock: realized performance over the last
    # minute of labels, a retrain on the last minute of traffic with a short search, started by
    # the test's click (no policy) and promoted by its click (no gate).
    "WORKER_LABEL_WINDOW_MINUTES": "1",
    "RETRAIN_WINDOW_MINUTES": "1",
    "RETRAIN_TRIALS": "2",
    "RETRAIN_POLICY": "0",
    "AUTO_PROMOTE": "0",
}
# Settings the caller's environment must not hand the stack: setup.sh writes the keys into
# the stack's own ENV_FILE only when the environment does not set them, and reads stay open.
NOT_INHERITED = (
    "ADMIN_API_KEYS",
    "PREDICT_API_KEYS",
    "SESSION_SECRET",
    "SIM_API_KEY",
    "REQUIRE_AUTH_FOR_READS",
    "CORS_ORIGINS",
    "BACKEND_URL",
)


@dataclass(frozen=True)
class Stack:
    frontend_url: str
    backend_url: str
    run_dir: Path
    env: dict[str, str]

    @property
    def env_file(self) -> Path:
        return Path(self.env["ENV_FILE"])

    def admin_key(self) -> str:
        """The first of ADMIN_API_KEYS in the stack's settings file, as setup.sh wrote it."""
        for line in self.env_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "ADMIN_API_KEYS":
                key = value.strip().strip("\"'").split(",")[0].strip()
                if key:
                    return key
        raise AssertionError(f"setup.sh wrote no ADMIN_API_KEYS into {self.env_file}")

    def setup(self) -> None:
        """Run `./scripts/setup.sh --local`: it starts whatever of the stack is not running."""
        started = subprocess.run(
            [str(ROOT / "scripts" / "setup.sh"), "--local"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if started.returncode != 0:
            pytest.fail(
                f"setup.sh --local failed:\n{started.stdout}\n{started.stderr}\n{_logs(self.run_dir)}", pytrace=False
            )

    def stop(self) -> None:
        subprocess.run([str(ROOT / "scripts" / "stop.sh")], env=self.env, cwd=ROOT, capture_output=True, timeout=120)


def _logs(run_dir: Path, lines: int = 25) -> str:
    parts = []
    for log in sorted(run_dir.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {log.name}\n" + "\n".join(tail))
    return "\n".join(parts)


@pytest.fixture(scope="session")
def browser():
    with chromium() as launched:
        yield launched


@contextmanager
def launch_stack(run_dir: Path, settings: dict[str, str]) -> Iterator[Stack]:
    """backend, worker, simulator and the built dashboard, as `./scripts/setup.sh --local` starts
    them (the demo model registered by it), with ``settings`` on top of the caller's environment, on a
    throw-away database and free ports. The demo model's trained files come from the test run's cache
    (``DEMO_CACHE_DIR``): setup.sh registers them instead of training again."""
    demo_files()  # trains once per run, into the cache setup.sh reads
    backend_port = free_port()
    while (frontend_port := free_port()) == backend_port:
        pass
    with temporary_database(run_dir) as database_url:
        env = {
            **{k: v for k, v in os.environ.items() if k not in NOT_INHERITED},
            **settings,
            "RUN_DIR": str(run_dir),
            "ENV_FILE": str(run_dir / "driftwatch.env"),
            "DATABASE_URL": database_url,
            "DEMO_CACHE_DIR": str(cache_dir()),
            "BACKEND_PORT": str(backend_port),
            "FRONTEND_PORT": str(frontend_port),
        }
        stack = Stack(f"http://127.0.0.1:{frontend_port}", f"http://127.0.0.1:{backend_port}", run_dir, env)
        try:
            stack.setup()
            yield stack
        finally:
            stack.stop()


@pytest.fixture(scope="session")
def stack(browser, tmp_path_factory) -> Iterator[Stack]:
    """The stack on fast clocks (STACK_ENV), shared by test_dashboard.py and test_loop.py."""
    with launch_stack(tmp_path_factory.mktemp("stack"), STACK_ENV) as started:
        yield started


@pytest.fixture(scope="session")
def stack_launcher():
    """launch_stack, for a module that needs a stack with settings of its own."""
    return launch_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The QUICKSTART walk first: its own stack (default settings) is stopped before the fast one starts."""
    here = [i for i, item in enumerate(items) if Path(str(item.path)).parent == Path(__file__).parent]
    ordered = sorted((items[i] for i in here), key=lambda item: Path(str(item.path)).name != "test_quickstart.py")
    for i, item in zip(here, ordered, strict=True):
        items[i] = item


@pytest.fixture(scope="session")
def admin_key(stack) -> str:
    return stack.admin_key()


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
