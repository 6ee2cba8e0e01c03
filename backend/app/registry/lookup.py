"""A registered model by its name, or the one ``NotFound`` every route answers for an unknown name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from driftwatch_core.db.models import RegisteredModel

#: What a model's name may be: lower-case letters, digits and -, starting with a letter.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def unknown_model(name: str) -> NotFound:
    return NotFound(f"no model named {name!r}: GET /api/v1/models lists them")


def registered_model(session: Session, name: str, *, lock: bool = False) -> RegisteredModel:
    """The model's row (``lock``: for update, so two requests at once act one after the other on
    PostgreSQL; SQLite writes one at a time); ``NotFound`` for an unknown name, without asking the
    database when no model could have that name (which also keeps a NUL byte away from PostgreSQL)."""
    model = None
    if NAME_PATTERN.fullmatch(name):
        query = select(RegisteredModel).where(RegisteredModel.name == name)
        model = session.scalar(query.with_for_update() if lock else query)
    if model is None:
        raise unknown_model(name)
    return model
