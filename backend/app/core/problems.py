"""Problem bodies for every error but a 422: ``{"status", "title", "detail"}``.

The shape follows RFC 9457 (problem details) without its optional ``type`` and
``instance``; ``detail`` says what went wrong and what to do, in one sentence.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse


class SafeJSONResponse(JSONResponse):
    """JSON that renders whatever it echoes: a lone surrogate (``"\\ud800"`` parsed from a
    request) becomes its ``\\uXXXX`` escape, valid JSON for the same string, not an error."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


def problem_body(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "title": HTTPStatus(status).phrase, "detail": detail, **extra}


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> SafeJSONResponse:
    return SafeJSONResponse(problem_body(status, detail, **extra), status_code=status, headers=headers)
