"""Liveness and readiness answers (``/health``, ``/ready``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


class Health(BaseModel):
    status: Literal["ok"] = Field(description="The process answers; nothing else is checked.")


class Readiness(BaseModel):
    """Ready when the database answers with its schema and the model registry has been read.

    The ``*_error`` fields are present only when that part is wrong; they say
    what to do without the driver's text (the server log has it).
    """

    status: Literal["ready", "not ready"]
    checks: dict[str, bool] = Field(description="`database` and `registry`: whether each is usable.")
    missing: list[str] = Field(description="The checks that failed.")
    database_error: str | SkipJsonSchema[None] = None
    registry_error: str | SkipJsonSchema[None] = None
    writer_error: str | SkipJsonSchema[None] = Field(
        default=None, description="Storing predictions failed lately; they are kept and retried."
    )
