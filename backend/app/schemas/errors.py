"""Error bodies: a 422 names each field, every other error is a problem.

A 422 is a ``ValidationProblem``: which field, what was expected, what was
sent. Every other error status (401, 404, 413, 429, 503 …) answers a
``Problem`` in the shape of RFC 9457 without its optional ``type`` and
``instance``: ``detail`` says what went wrong and what to do, in one sentence.
Some problems add fields of their own (feedback names the prediction ids).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `body.rows.3.amount`.")
    message: str = Field(description="What was expected.")
    type: str = Field(description="Pydantic's error type, e.g. `greater_than_equal`.")
    input: Any = Field(default=None, description="The value that was sent (scalars only).")


class ValidationProblem(BaseModel):
    detail: str = Field(description="The first errors in one line: `field: message; ...`.")
    errors: list[FieldError]


class Problem(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"status": 404, "title": "Not Found", "detail": "alert_id: no alert 7"}]},
    )
    status: int = Field(description="The HTTP status code, repeated.")
    title: str = Field(description="The status's standard phrase, e.g. `Not Found`.")
    detail: str = Field(description="What went wrong and what to do about it.")


class FeedbackProblem(Problem):
    prediction_ids: list[str] = Field(description="The offending ids (at most 100).")
