"""Optional Slack-compatible webhook, posted from a background thread.

The loop only enqueues; a daemon thread posts ``{"text": ...}`` with a timeout
and a few retries with back-off. A full queue drops the message (and logs it)
rather than ever stalling a cycle.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time

import httpx

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, url: str | None, timeout_s: float = 3.0, retries: int = 3, max_queue: int = 100) -> None:
        self.url = url
        self._timeout, self._retries = timeout_s, retries
        self._queue: queue.Queue[str | None] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        if url:
            self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
            self._thread.start()

    def send(self, text: str) -> None:
        if not self.url:
            return
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            log.warning("webhook queue full: dropped %r", text)

    def _post(self, client: httpx.Client, text: str) -> None:
        assert self.url is not None  # only the webhook thread posts, and it runs only with a URL
        delay = 0.5
        for attempt in range(self._retries + 1):
            try:
                client.post(self.url, json={"text": text}).raise_for_status()
                return
            except httpx.HTTPError as exc:
                log.warning("webhook attempt %d failed: %s", attempt + 1, exc)
                time.sleep(delay)
                delay *= 2
        log.error("webhook gave up on %r", text)

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while (text := self._queue.get()) is not None:
                self._post(client, text)

    def close(self, timeout_s: float = 1.0) -> None:
        if self._thread is not None:
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
            self._thread.join(timeout_s)
