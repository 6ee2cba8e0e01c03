"""The simulator's HTTP client: its key on every request, a request id per request, answers read.

Every request carries ``X-API-Key`` (``SIM_API_KEY``, when set) and a fresh
``X-Request-ID``; the backend logs that id with the request, so a failure line
here names the backend's log line. The key is never logged: the header is
sent as a header only, and a refused call's message names the variable and
the role it needed, never the value.
"""

from __future__ import annotations

import email.utils
import math
import secrets
import time

import httpx

from simulator.config import Settings

API_KEY_HEADER = "X-API-Key"
REQUEST_ID_HEADER = "X-Request-ID"
# httpcore checks every pooled connection on each request: keep the idle pool small.
KEEPALIVE = 16
#: What each call needs the key to be, for the message when it is refused.
ROLE_HINTS = {
    "predict": "a predict key (PREDICT_API_KEYS, or ADMIN_API_KEYS)",
    "admin": "an admin key (ADMIN_API_KEYS); a predict key may send traffic and labels only",
}


def new_request_id() -> str:
    return f"sim-{secrets.token_hex(8)}"


async def _stamp(request: httpx.Request) -> None:
    request.headers[REQUEST_ID_HEADER] = new_request_id()


def make_client(settings: Settings) -> httpx.AsyncClient:
    """One pooled client for the whole run, sized for ``SIM_CONCURRENCY``."""
    limits = httpx.Limits(
        max_connections=settings.concurrency + 4, max_keepalive_connections=min(KEEPALIVE, settings.concurrency)
    )
    headers = {}
    if settings.api_key is not None:
        headers[API_KEY_HEADER] = settings.api_key.get_secret_value()
    return httpx.AsyncClient(
        base_url=settings.backend_url,
        timeout=settings.timeout_s,
        limits=limits,
        headers=headers,
        event_hooks={"request": [_stamp]},
    )


def request_id(source: httpx.Response | httpx.RequestError) -> str:
    """The id this simulator sent with the request behind ``source`` ('-' when unknown)."""
    try:
        return source.request.headers.get(REQUEST_ID_HEADER, "-")
    except RuntimeError:  # an error raised before the request existed
        return "-"


def retry_after_s(response: httpx.Response) -> float | None:
    """The seconds a 429 or 503 asks to wait (``Retry-After`` in seconds or as a date)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def detail(response: httpx.Response) -> str:
    """The backend's one-line reason (the ``detail`` of its problem body), or the raw text."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return body["detail"][:200]
    return response.text[:200]


def refused_message(what: str, response: httpx.Response, role: str) -> str:
    """The one line an operator needs when a call is refused with 401 or 403."""
    if API_KEY_HEADER not in response.request.headers:
        key_state = "SIM_API_KEY is not set"
    elif response.status_code == 401:
        key_state = "the backend does not accept the key in SIM_API_KEY"
    else:
        key_state = "the key in SIM_API_KEY lacks the role"
    return (
        f"{what} refused with HTTP {response.status_code} ({detail(response)}; "
        f"request {request_id(response)}): {key_state}; it needs {ROLE_HINTS[role]}"
    )
