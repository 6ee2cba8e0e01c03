"""Test tiers, kept by the fixtures themselves rather than by a clock.

The fast tier (``./scripts/test.sh --fast``: ``-m "not slow and not e2e"``) holds the tests that
run in this process alone: unit tests and in-process API tests. While a test runs, this plugin
refuses what belongs to a slower tier unless the test carries its marker:

- starting a process (``subprocess``, ``asyncio``'s subprocesses, anything built on ``Popen``)
  or listening on a socket (a server: uvicorn, a proxy, a stub) needs ``slow``;
- launching a browser needs ``e2e`` (``driftwatch_testing.browser.chromium``);
- sleeping (``time.sleep`` in the test's own thread) for more than ``MAX_FAST_SLEEP_S`` in
  all needs ``slow``: what is asked for is counted, not how long it took.

A refusal fails the test with a message naming the marker to add. Infrastructure that a
fast test may trigger once per run (exporting the cached demo model) runs inside
``allowed()``.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any, SupportsIndex

import pytest

MAX_FAST_SLEEP_S = 2.0


class TierViolation(Exception):
    """A test did what its tier does not allow."""


class _Current:
    def __init__(self) -> None:
        self.item: pytest.Item | None = None
        self.slept = 0.0
        self.allowed = 0  # allowed() depth


_current = _Current()
_lock = threading.Lock()
_main = threading.main_thread()


def _marked(*names: str) -> bool:
    item = _current.item
    return item is None or _current.allowed > 0 or any(item.get_closest_marker(n) for n in names)


def require(marker: str, what: str) -> None:
    """Refuse ``what`` unless the running test carries ``marker`` (``slow`` also admits ``e2e``)."""
    names = ("slow", "e2e") if marker == "slow" else (marker,)
    if not _marked(*names):
        assert _current.item is not None
        raise TierViolation(f"{_current.item.nodeid} {what}: mark it @pytest.mark.{marker}")


@contextlib.contextmanager
def allowed() -> Iterator[None]:
    """Let infrastructure start a process whatever the running test's tier."""
    with _lock:
        _current.allowed += 1
    try:
        yield
    finally:
        with _lock:
            _current.allowed -= 1


_execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]
_listen = socket.socket.listen
_sleep = time.sleep


def _guarded_execute_child(self: Any, args: Any, *rest: Any, **kwargs: Any) -> Any:
    require("slow", f"starts a process ({str(args)[:80]})")
    return _execute_child(self, args, *rest, **kwargs)


def _guarded_listen(self: socket.socket, backlog: int = socket.SOMAXCONN) -> None:
    require("slow", "listens on a socket (starts a server)")
    _listen(self, backlog)


def _guarded_sleep(seconds: float | SupportsIndex) -> None:
    if threading.current_thread() is _main and _current.item is not None:
        _current.slept += float(seconds)
        if _current.slept > MAX_FAST_SLEEP_S:
            require("slow", f"sleeps {_current.slept:.1f} s in all")
    _sleep(seconds)


def pytest_configure(config: pytest.Config) -> None:
    subprocess.Popen._execute_child = _guarded_execute_child  # type: ignore[attr-defined]
    socket.socket.listen = _guarded_listen  # type: ignore[method-assign, assignment]
    time.sleep = _guarded_sleep


def pytest_unconfigure(config: pytest.Config) -> None:
    subprocess.Popen._execute_child = _execute_child  # type: ignore[attr-defined]
    socket.socket.listen = _listen  # type: ignore[method-assign]
    time.sleep = _sleep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    _current.item, _current.slept = item, 0.0
    try:
        return (yield)
    finally:
        _current.item = None
