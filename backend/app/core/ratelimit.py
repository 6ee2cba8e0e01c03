"""Who is calling, and are they over their limit: a pure-ASGI middleware.

For every HTTP request under ``/api/`` it checks the credentials once (see
``app.core.security``), leaves the outcome in ``scope["state"]["identity"]`` for
the authorization dependency, and counts the request against a limit: per key
(``RATE_LIMIT_PER_KEY``) for a valid key or session, else per client address
(``RATE_LIMIT_PER_ADDRESS``), so inventing keys does not buy a fresh budget.
Over the limit it answers 429 with ``Retry-After`` and a problem body, before
the request body is read. The counters are ``limits``' sliding windows in this
process's memory: with N backend replicas a caller gets up to N times the limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
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
    """Sliding-window counters by key; ``retry_after`` says how long a refused caller waits."""

    def __init__(self) -> None:
        self._strategy = SlidingWindowCounterRateLimiter(MemoryStorage())

    def hit(self, limit: RateLimitItem | None, key: str) -> float | None:
        """Count one request; None when it is allowed, else the seconds until it would be."""
        if limit is None or self._strategy.hit(limit, key):
            return None
        reset = self._strategy.get_window_stats(limit, key).reset_time
        return max(1.0, reset - time.time())


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
