"""What a service refuses to do, as exceptions that know nothing of HTTP.

Services raise these; ``app.api.errors`` maps each kind to one status and a
problem body, in one place. ``detail`` is the problem's one sentence (what
went wrong, what to do); ``extra`` are further JSON fields of the body, e.g.
the offending ``prediction_ids``.

- ``NotFound``: the thing named does not exist (404).
- ``Conflict``: it exists, but its state does not allow this (409).
- ``Busy``: the service cannot take more right now; retry after
  ``retry_after_s`` seconds (503).
- ``Invalid``: what was sent cannot be used, for reasons found beyond the
  request's own types (a column of an uploaded table, the inputs of an
  uploaded model); ``errors`` name each field or column (422, the same
  ``ValidationProblem`` as a malformed request).
- ``BadRequestBody``: a body that does not validate against a model's schema,
  found after routing (the answering version's schema); ``errors`` are pydantic's
  (422, exactly as FastAPI reports a malformed body).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; nothing was changed."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail, self.extra = detail, extra


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class Busy(DomainError):
    def __init__(self, detail: str, retry_after_s: int = 1, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after_s = retry_after_s


class Invalid(DomainError):
    def __init__(self, errors: list[tuple[str, str]], **extra: Any) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors[:5]), **extra)
        self.errors = errors


class BadRequestBody(DomainError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("the body does not match the model's schema")
        self.errors = errors
