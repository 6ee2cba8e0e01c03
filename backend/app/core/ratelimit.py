"""Who is calling, and are they over their limit: a pure-ASGI middleware.

For every HTTP request under ``/api/`` it checks the credentials once (see
``app.core.security``), leaves the outcome in ``scope["state"]["identity"]`` for
the authorization dependency, and counts the request against a limit: per key
(``RATE_LIMIT_PER_KEY``) for a valid key or session, else per client address
(``RATE_LIMIT_PER_ADDRESS``), so inventing keys does not buy a fresh budget.
Over the limit it answers 429 with ``Retry-After`` and a problem body, before
the request body is read. Limits are written as ``limits`` parses them
(``300/second``); the counters are sliding windows in this process's memory, so
with N backend processes or replicas a caller gets up to N times the limit.

The counting is ours rather than ``limits``' ``MemoryStorage``: that storage
starts a new expiry thread every 10 ms while requests arrive (7% of the CPU of a
busy process, measured with py-spy); here a stale key is dropped when the
table is swept, at most once a window.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.problems import problem_response
from app.core.security import Identity, Security, credentials_from

OFF = "off"


def parse_limit(value: str, name: str) -> RateLimitItem | None:
    """``"300/second"`` → a limit; ``"off"`` → None. Raises ValueError naming the setting."""
    if value.strip().lower() == OFF:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise ValueError(f"{name}: expected a rate like '300/second' or 'off', got {value!r}") from exc


@dataclass(frozen=True)
class Limits:
    """The configured limits (None: off)."""

    per_key: RateLimitItem | None
    per_address: RateLimitItem | None
    sign_in: RateLimitItem | None

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            parse_limit(settings.rate_limit_per_key, "RATE_LIMIT_PER_KEY"),
            parse_limit(settings.rate_limit_per_address, "RATE_LIMIT_PER_ADDRESS"),
            parse_limit(settings.rate_limit_sign_in, "RATE_LIMIT_SIGN_IN"),
        )


class Limiter:
    """Sliding-window counters by key (the two-window approximation: the previous window's
    count weighted by how much of it the sliding window still covers, plus the current
    window's); ``hit`` says how long a refused caller waits."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # the sign-in route counts from a worker thread
        # (window length, amount, key) -> [index of the current window, previous count, current count]
        self._counts: dict[tuple[int, int, str], list[int]] = {}
        self._swept: dict[int, int] = {}  # window length -> the window index of the last sweep

    def hit(self, limit: RateLimitItem | None, key: str) -> float | None:
        """Count one request; None when it is allowed, else the seconds until it would be."""
        if limit is None:
            return None
        window = limit.get_expiry()
        now = self._clock()
        index, into = divmod(now, window)
        index = int(index)
        with self._lock:
            self._sweep(window, index)
            entry = self._counts.setdefault((window, limit.amount, key), [index, 0, 0])
            if entry[0] != index:  # a new window: the current count becomes the previous one
                entry[1] = entry[2] if entry[0] == index - 1 else 0
                entry[0], entry[2] = index, 0
            previous, current = entry[1], entry[2]
            weight = 1 - into / window
            if previous * weight + current + 1 <= limit.amount:
                entry[2] += 1
                return None
        if current + 1 > limit.amount or previous == 0:  # only the next window frees a slot
            return max(1.0, window - into)
        # the previous window's share has to fall to (amount - current - 1)
        needed = 1 - (limit.amount - current - 1) / previous
        return max(1.0, needed * window - into)

    def _sweep(self, window: int, index: int) -> None:
        """Drop the keys of this window length whose counts no longer matter (once a window)."""
        if self._swept.get(window) == index:
            return
        self._swept[window] = index
        for k in [k for k, e in self._counts.items() if k[0] == window and e[0] < index - 1]:
            del self._counts[k]


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def identify(scope: Scope, security: Security) -> Identity:
    """Check the request's credentials once and keep the outcome on the scope."""
    state = scope.setdefault("state", {})
    if "identity" not in state:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = cookie_parser(headers.get("cookie", ""))
        state["identity"] = security.identify(credentials_from(headers, cookies))
    return state["identity"]


class CallerMiddleware:
    def __init__(self, app: ASGIApp, security: Security, limits: Limits, limiter: Limiter) -> None:
        self.app, self.security, self.limiter = app, security, limiter
        self.per_key, self.per_address = limits.per_key, limits.per_address

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        principal = identify(scope, self.security).principal
        if principal is not None:
            wait = self.limiter.hit(self.per_key, "key:" + principal.key_id)
        else:
            wait = self.limiter.hit(self.per_address, "address:" + client_address(scope))
        if wait is None:
            await self.app(scope, receive, send)
            return
        seconds = math.ceil(wait)
        who = f"key {principal.key_id}" if principal else "this client address"
        response = problem_response(
            429,
            f"rate limit of {self.per_key if principal else self.per_address} for {who} exceeded; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
        await response(scope, receive, send)
