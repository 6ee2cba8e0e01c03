"""Create the schema if missing; safe to run from several processes at once."""

from __future__ import annotations

from sqlalchemy import Engine

from app.core.db import advisory_xact_lock
from app.models import Base

_SCHEMA_LOCK_KEY = 0x44574154  # "DWAT": serialises CREATE TABLE across processes


def init_schema(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            advisory_xact_lock(conn, _SCHEMA_LOCK_KEY)
            Base.metadata.create_all(conn)
    else:
        Base.metadata.create_all(engine)
