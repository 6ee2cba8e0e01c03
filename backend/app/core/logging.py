"""Logging of the backend: one handler on the root logger, text or JSON lines.

``LOG_FORMAT=json`` writes one JSON object per line (python-json-logger); text
is the default. Either way every line carries the request id. Uvicorn's own
loggers (errors and the access log) are routed through the same handler, so
their lines get the request id and the format too. The access log is off unless
``ACCESS_LOG=true``: uvicorn skips formatting a request's line only when its
access logger has no handler at all, so off means no handler and no propagation.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from app.core.request_id import RequestIdFilter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "request_id", "message"]
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def configure_logging(level: str, fmt: str, access_log: bool = True) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "driftwatch", False)]:
        root.removeHandler(old)
    handler.driftwatch = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = access_log or name != "uvicorn.access"
