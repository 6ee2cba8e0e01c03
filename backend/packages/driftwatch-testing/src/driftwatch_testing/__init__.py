"""Helpers and fixtures shared by the test suites of backend, worker and simulator.

A test-only package (backend/packages/driftwatch-testing, installed by
requirements-dev.txt, never by an image), loaded as a pytest plugin
(``pytest -p driftwatch_testing``, as backend/pytest.ini says). It never imports
the backend application: the demo model comes from ``driftwatch_testing.demo``
(trained once in a child process, cached on disk, inserted with the shared core),
so the worker's and the simulator's suites load it too.

Each pytest session gets a database of its own (a fresh PostgreSQL database
created from ``TEST_DATABASE_URL``, or an SQLite file when no PostgreSQL
answers and ``REQUIRE_POSTGRES`` is not set), so suites can run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from driftwatch_core.db.engine import normalize_url
from driftwatch_testing import tiers
from driftwatch_testing.demo import DEMO_MODEL as DEMO_MODEL
from driftwatch_testing.demo import demo_files as demo_files
from driftwatch_testing.demo import demo_version as demo_version
from driftwatch_testing.demo import insert_demo as insert_demo

log = logging.getLogger(__name__)
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: API keys every test backend accepts (a backend without keys refuses every unsafe route).
TEST_ADMIN_KEY = "dw-test-admin-key-0123456789abcdef"
TEST_PREDICT_KEY = "dw-test-predict-key-0123456789abcdef"
TEST_KEYS_ENV = {"ADMIN_API_KEYS": TEST_ADMIN_KEY, "PREDICT_API_KEYS": TEST_PREDICT_KEY}


def auth(key: str = TEST_ADMIN_KEY) -> dict[str, str]:
    """Headers that authenticate a test request with ``key`` (the admin key by default)."""
    return {"X-API-Key": key}


def _postgres_answers(url: str) -> bool:
    try:
        engine = create_engine(normalize_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


@contextlib.contextmanager
def temporary_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the URL of an empty database that is dropped afterwards."""
    admin_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    required = os.environ.get("REQUIRE_POSTGRES") == "1"
    if not _postgres_answers(admin_url):
        if required:
            raise RuntimeError(f"REQUIRE_POSTGRES=1 but no PostgreSQL answers at {admin_url!r}")
        log.warning("no PostgreSQL at %s: running the tests on SQLite", admin_url)
        yield f"sqlite:///{tmp_dir / 'test.db'}"
        return
    name = f"dw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_database(dialect: str, folder: Path) -> contextlib.AbstractContextManager[str]:
    """A context manager yielding the URL of an empty database of ``dialect`` ("sqlite" or
    "postgresql"; the latter falls back to SQLite when no PostgreSQL answers, like every test)."""
    folder.mkdir(exist_ok=True)
    if dialect == "sqlite":
        return contextlib.nullcontext(f"sqlite:///{folder / 'db.db'}")
    return temporary_database(folder)


def add_run(engine, finished: bool = True, model: str = DEMO_MODEL) -> int:
    """Store a monitoring run of ``model`` of 300 rows over the last 5 minutes (finished, or still running)."""
    from sqlalchemy.orm import Session

    from driftwatch_core.db.models import MonitoringRun, utcnow

    now = utcnow()
    with Session(engine) as session, session.begin():
        run = MonitoringRun(
            model_name=model,
            slot=now,
            started_at=now,
            finished_at=now if finished else None,
            window_start=now - timedelta(minutes=5),
            window_end=now,
            n_rows=300,
            status="ok" if finished else "running",
        )
        session.add(run)
        session.flush()
        return run.id


def add_open_alert(engine, model: str = DEMO_MODEL) -> int:
    """Store an open critical feature-drift alert of ``model`` on ``amount``; returns its id."""
    from sqlalchemy.orm import Session

    from driftwatch_core.db.models import Alert, utcnow

    now = utcnow()
    with Session(engine) as session, session.begin():
        alert = Alert(
            model_name=model,
            kind="feature_drift",
            feature="amount",
            severity="critical",
            status="open",
            message="PSI 0.4 > 0.25",
            value=0.4,
            threshold=0.25,
            opened_at=now,
            updated_at=now,
        )
        session.add(alert)
        session.flush()
        return alert.id


def _clear(engine) -> None:
    from driftwatch_core.db.models import Base

    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


def clear_tables(engine) -> None:
    """Empty every table, children first, so each test starts clean (no model registered). A
    backend of the test before may still hold a lock for a moment: a deadlock is retried."""
    from sqlalchemy.exc import OperationalError

    for attempt in range(5):
        try:
            _clear(engine)
            return
        except OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout_s: float = 60.0, status: int = 200) -> None:
    deadline = time.monotonic() + timeout_s
    last: httpx.Response | httpx.HTTPError | None = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=2.0)
            if last.status_code == status:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer {status} within {timeout_s} s (last: {last!r})")


def until_ready(client, timeout_s: float = 30.0):
    """``client`` (a TestClient of the backend) once its app has migrated the database and
    registered its model: a background thread does both at start, so a test must not race it."""
    # The app's own signal, not /ready polled: requests would count against the rate limits.
    runtime = client.app.state.driftwatch
    assert runtime.schema_ready.wait(timeout_s), f"the database was not ready after {timeout_s} s"
    return client


@contextlib.contextmanager
def run_backend(database_url: str, log_path: Path, **env: str) -> Iterator[str]:
    """Start the installed backend as production does (``python -m app.serve``: uvicorn, access
    log off; one server process unless ``BACKEND_WORKERS`` says otherwise) in a subprocess; yield
    its base URL once ready."""
    port = free_port()
    full_env = {
        **os.environ,
        **TEST_KEYS_ENV,
        "DATABASE_URL": database_url,
        "BACKEND_HOST": "127.0.0.1",
        "BACKEND_PORT": str(port),
        "BACKEND_WORKERS": "1",  # one process a test can find and measure, unless it asks for more
        **env,
    }
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.serve"],
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/v1/ready")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class TcpProxy:
    """A loopback TCP forwarder that a test can cut and restore (a database outage)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _pipe(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._conns.update({writer, up_writer})
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._conns.difference_update({writer, up_writer})

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for w in list(self._conns):
            w.close()
        self._conns.clear()

    def start(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        self._call(self._stop())

    def close(self) -> None:
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)


# --- pytest fixtures -------------------------------------------------------


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    with temporary_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    from driftwatch_core.db.engine import make_engine
    from driftwatch_core.db.schema import init_schema

    eng = make_engine(database_url)
    init_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clean_db(engine):
    """The session's database with every table emptied: no model registered."""
    clear_tables(engine)
    return engine


@pytest.fixture
def demo_model(clean_db) -> str:
    """The session's database, emptied, with the demo model (``fraud``) registered as its champion;
    the version's id."""
    return insert_demo(clean_db)


@contextlib.contextmanager
def database_behind_proxy(database_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """Yield a proxy to the test PostgreSQL and a URL through it, to cut and restore."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs a PostgreSQL server to cut off")
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    try:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.close()


# The tier guard's hooks (driftwatch_testing.tiers) run with this plugin's.
pytest_configure = tiers.pytest_configure
pytest_unconfigure = tiers.pytest_unconfigure
pytest_runtest_protocol = tiers.pytest_runtest_protocol
