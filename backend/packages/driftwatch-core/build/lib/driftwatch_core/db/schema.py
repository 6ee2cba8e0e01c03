"""Alembic owns the schema: every service upgrades the database to head at start.

``init_schema(engine)`` runs ``alembic upgrade head`` on the migrations in
``driftwatch_core/db/migrations`` (found from this package, so it works from any folder and in
every image). The whole upgrade is one transaction holding the schema lock:
PostgreSQL's advisory lock, or SQLite's write lock (``BEGIN IMMEDIATE``). A
second process starting at the same moment waits, then finds the database at
head and does nothing.

A database made by the previous release (``create_all`` or ``init_db.sql``, so
its tables but no ``alembic_version``) is adopted: stamped at ``BASELINE``,
whose schema is exactly that release's, then upgraded like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.exc import InterfaceError, OperationalError

from driftwatch_core.db.engine import advisory_xact_lock, make_engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The first migration: the schema the previous release created without Alembic.
BASELINE = "0001"
BASELINE_TABLES = frozenset(
    {
        "model_versions",
        "predictions",
        "ground_truth",
        "monitoring_runs",
        "drift_results",
        "performance_results",
        "alerts",
        "simulator_control",
    }
)
#: How autogenerate (``alembic check``, ``revision --autogenerate``) compares models and database.
COMPARE_OPTIONS = {"compare_type": True, "compare_server_default": True}
_SCHEMA_LOCK_KEY = 0x44574154  # "DWAT": the lock the previous release's create_all took too


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's configuration, built in code; env.py migrates ``engine`` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def init_schema(engine: Engine) -> None:
    """Upgrade the database to the newest migration, adopting a previous release's.

    A database that cannot be reached raises quietly (the callers retry); a
    migration that fails is logged with its traceback, then raised.
    """
    try:
        command.upgrade(alembic_config(engine), "head")
    except (OperationalError, InterfaceError):
        raise
    except CommandError as exc:
        if "Can't locate revision" not in str(exc):
            raise
        raise RuntimeError(
            f"{exc}: the database was migrated by a newer release of Driftwatch than this one; "
            "run that release (or restore a backup taken before the upgrade)"
        ) from exc
    except Exception:
        log.exception("database schema upgrade failed and was rolled back")
        raise


def head_revision() -> str | None:
    """The newest migration: where ``init_schema`` takes every database."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


@contextmanager
def locked(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that holds the schema lock; commits on success."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        with engine.begin() as conn:  # an in-memory SQLite database has one process only
            advisory_xact_lock(conn, _SCHEMA_LOCK_KEY)
            yield conn
        return
    migrator = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)

    @event.listens_for(migrator, "connect")
    def _manual_transactions(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # pysqlite: BEGIN is ours, so DDL is transactional
        cur = dbapi_conn.cursor()
        # Batch mode drops and re-creates tables: with foreign keys on, dropping a
        # parent table deletes (cascades to) the children's rows.
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.close()

    @event.listens_for(migrator, "begin")
    def _begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock: a second process waits here

    try:
        with migrator.begin() as conn:
            yield conn
    finally:
        migrator.dispose()


def adopt_previous_release(context: MigrationContext, script: ScriptDirectory) -> None:
    """Stamp a database with the previous release's tables and no version at ``BASELINE``."""
    if context.get_current_heads():
        return
    present = BASELINE_TABLES & set(inspect(context.connection).get_table_names())
    if not present:
        return
    if present != BASELINE_TABLES:
        raise RuntimeError(
            f"the database has some of the previous release's tables ({', '.join(sorted(present))}) "
            f"but not {', '.join(sorted(BASELINE_TABLES - present))}, and no alembic_version: "
            "it is not one Driftwatch made; point DATABASE_URL at an empty database or at a "
            "complete one"
        )
    log.info("adopting a database of the previous release: stamping it at %s", BASELINE)
    context.stamp(script, BASELINE)


def check_foreign_keys(conn: Connection) -> None:
    """SQLite migrates with foreign keys off; refuse to commit rows that break one."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(
            f"the migration left {len(broken)} rows that break a foreign key in {', '.join(tables)}; rolled back"
        )
