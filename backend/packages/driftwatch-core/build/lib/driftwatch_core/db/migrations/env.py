"""Alembic's environment: the migrations of ``driftwatch_core.db.models``' schema, PostgreSQL and SQLite.

Online, every command migrates inside one transaction that holds the schema lock
(``driftwatch_core.db.schema.locked``): the services hand in their engine through
``init_schema``, the command line connects to DATABASE_URL. A database of the
previous release is adopted (stamped at the baseline) first. SQLite alters
tables in batch mode (copy, drop, rename); autogenerate compares types and
server defaults too, so ``alembic check`` sees every difference. Offline
(``--sql``) it prints the SQL for the dialect of DATABASE_URL.
"""

from __future__ import annotations

import logging
import logging.config
import os

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from driftwatch_core.db import schema
from driftwatch_core.db.engine import make_engine, normalize_url
from driftwatch_core.db.models import Base, Timestamp
from driftwatch_core.defaults import DEFAULT_DATABASE_URL

config = context.config
if config.config_file_name:  # the command line; a service keeps its own logging
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")


def _render_item(kind: str, obj: object, autogen_context: AutogenContext) -> str | bool:
    # A migration is frozen: it spells out column types instead of importing the models.
    if kind == "type" and isinstance(obj, Timestamp):
        return "sa.DateTime(timezone=True)"
    # Rendered from SQLite, JSONB would come out as JSONB(astext_type=Text()), Text unimported.
    if kind == "type" and isinstance(obj, postgresql.JSONB):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return "postgresql.JSONB()"
    return False


def _options(dialect: str) -> dict:
    return {
        "target_metadata": Base.metadata,
        "render_as_batch": dialect == "sqlite",
        "render_item": _render_item,
        **schema.COMPARE_OPTIONS,
    }


def _database_url() -> str:
    return normalize_url(
        config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    )


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, **_options(connection.dialect.name))
    migration = context.get_context()
    schema.adopt_previous_release(migration, context.script)
    before = migration.get_current_heads()
    with context.begin_transaction():
        context.run_migrations()
    after = migration.get_current_heads()
    if after != before:
        if connection.dialect.name == "sqlite":
            schema.check_foreign_keys(connection)
        log.info(
            "database schema migrated from %s to %s", ", ".join(before) or "nothing", ", ".join(after) or "nothing"
        )


def run_migrations_online() -> None:
    if (connection := config.attributes.get("connection")) is not None:
        _migrate(connection)  # the caller's connection, transaction and lock
        return
    given: Engine | None = config.attributes.get("engine")  # a service's, through init_schema
    engine = given or make_engine(_database_url(), pool_size=1)
    try:
        with schema.locked(engine) as locked:
            _migrate(locked)
    finally:
        if given is None:
            engine.dispose()


def run_migrations_offline() -> None:
    url = _database_url()
    context.configure(
        url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_options(make_url(url).get_backend_name())
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
