"""Engine and session factory: one code path for PostgreSQL and SQLite."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """Plain ``postgres(ql)://`` URLs mean psycopg2 here (SQLAlchemy 2.1 would pick psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)  # e.g. the default ~/.driftwatch
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            # WAL lets the API read while the writer thread commits.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={"connect_timeout": 3},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def wait_for_db(engine: Engine, timeout_s: float = 60.0, stop: threading.Event | None = None) -> bool:
    """Block until the database answers, backing off between tries.

    True once it answers; False when ``timeout_s`` passes or ``stop`` is set
    (the pause between tries waits on ``stop``, so setting it ends the wait).
    """
    url = engine.url.render_as_string(hide_password=True)
    delay, deadline = 0.5, time.monotonic() + timeout_s
    while not ping(engine):
        if stop is not None and stop.is_set():
            return False
        if time.monotonic() > deadline:
            log.error("database %s not reachable after %.0f s; giving up", url, timeout_s)
            return False
        log.warning("waiting for database %s (retry in %.1f s)", url, delay)
        if stop is not None:
            stop.wait(delay)
        else:
            time.sleep(delay)
        delay = min(delay * 2, 5.0)
    log.info("database reachable")
    return True


def advisory_xact_lock(conn_or_session: Connection | Session, key: int) -> None:
    """Take PostgreSQL's transaction-scoped advisory lock ``key`` (held until the
    transaction ends); a no-op on other databases."""
    bind = conn_or_session.get_bind() if isinstance(conn_or_session, Session) else conn_or_session
    if bind.dialect.name == "postgresql":
        conn_or_session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
