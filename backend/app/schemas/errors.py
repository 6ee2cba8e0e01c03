"""The body of a 422: which field, what was expected, what was sent."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `transactions.3.amount`.")
    message: str = Field(description="What was expected.")
    type: str = Field(description="Pydantic's error type, e.g. `greater_than_equal`.")
    input: Any = Field(default=None, description="The value that was sent.")


class ValidationProblem(BaseModel):
    detail: str = Field(description="The first errors in one line: `field: message; ...`.")
    errors: list[FieldError]
