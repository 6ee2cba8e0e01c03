"""Exponential back-off with jitter, shared by all requests of one kind.

A 429's ``Retry-After`` is a floor, not a hint: :meth:`Backoff.hold` pauses at
least that long (plus up to 10% jitter, so several simulators do not return in
the same instant).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time

log = logging.getLogger(__name__)


async def pause(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` unless ``stop`` is set first; True when stopping."""
    if seconds > 0 and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


class Backoff:
    """After a failure, pause ``base_s * 2**(n-1)`` (at most ``max_s``), jittered to 50-100%.

    Failures reported while already paused (other requests that were in
    flight) do not lengthen the pause. The first success resets it.
    """

    def __init__(self, what: str, base_s: float = 0.5, max_s: float = 30.0, rng: random.Random | None = None) -> None:
        self.what, self.base_s, self.max_s = what, base_s, max_s
        self.rng = rng or random.Random()
        self.attempt = 0
        self.paused_until = 0.0

    def remaining(self) -> float:
        """Seconds left in the current pause (0 when requests may go out)."""
        return max(0.0, self.paused_until - time.monotonic())

    def failure(self, reason: str, quiet: bool = False) -> None:
        """Pause after a failure; ``quiet`` when the caller has already said why, once."""
        if self.remaining() > 0:
            return
        self.attempt += 1
        delay = min(self.max_s, self.base_s * 2 ** (self.attempt - 1)) * self.rng.uniform(0.5, 1.0)
        self.paused_until = time.monotonic() + delay
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "%s failed (%s): backing off %.1f s (attempt %d)",
            self.what,
            reason,
            delay,
            self.attempt,
        )

    def hold(self, seconds: float, reason: str) -> None:
        """Pause at least ``seconds`` (the backend's Retry-After); a longer pause already on stays."""
        until = time.monotonic() + seconds * self.rng.uniform(1.0, 1.1)
        if until <= self.paused_until:
            return
        self.attempt += 1
        self.paused_until = until
        log.warning(
            "%s rate-limited (%s): pausing %.1f s as Retry-After asks", self.what, reason, until - time.monotonic()
        )

    def success(self) -> None:
        if self.attempt:
            log.info("%s recovered after %d back-off(s)", self.what, self.attempt)
        self.reset()

    def reset(self) -> None:
        """Start afresh, without a pause (the requests now go somewhere else)."""
        self.attempt, self.paused_until = 0, 0.0
