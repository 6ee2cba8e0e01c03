"""Create the schema if missing; safe to run from several processes at once."""

from __future__ import annotations

from sqlalchemy import Engine, text

from app.models import Base

_SCHEMA_LOCK_KEY = 0x44574154  # "DWAT": serialises CREATE TABLE across processes


def init_schema(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK_KEY})
            Base.metadata.create_all(conn)
    else:
        Base.metadata.create_all(engine)
