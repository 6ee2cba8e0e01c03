"""Value types shared by request bodies, query parameters and responses.

- ``UtcDatetime``: an RFC 3339 date and time (``2026-01-31T12:00:00Z``),
  normalised to aware UTC; without an offset it is taken as UTC. Numbers
  (pydantic would read them as Unix times) and dates alone are refused, as
  the documented ``date-time`` format says. A time whose UTC equivalent
  falls outside years 1–9999 (e.g. ``9999-12-31T23:59:59-14:00``) is a 422
  naming the parameter, never an ``OverflowError`` further down.
- ``Label``: a ground-truth label, ``true``/``false`` or ``1``/``0`` (what most
  labelling pipelines write), and nothing else.
- ``IsoDatetime``: a response time rendered by ``datetime.isoformat()``
  (``2026-01-31T12:00:00.123456+00:00``), as ``/stats``, ``/predictions`` and
  the live channel's markers have always written them; pydantic's own
  rendering, used elsewhere, ends in ``Z``. Both are RFC 3339.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})?")


def _date_time(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise PydanticCustomError("datetime_format", "Input should be a date and time like 2026-01-31T12:00:00Z")
    return value


def to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range: in UTC it falls outside the years 1 to 9999") from None


def _label(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    raise PydanticCustomError("bool_type", "Input should be true, false, 1 or 0")


UtcDatetime = Annotated[datetime, BeforeValidator(_date_time), AfterValidator(to_utc)]
Label = Annotated[
    bool,
    BeforeValidator(_label),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "integer", "enum": [0, 1]}]}),
]
IsoDatetime = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
