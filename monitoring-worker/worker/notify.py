"""Optional Slack-compatible webhook: one message per incident transition, posted from a background thread.

The cycle hands over each incident that opened, escalated (its severity went
up) or resolved (``worker.incidents.Change``); an alert that only joins an
incident sends nothing, so a shift that opens a dozen alerts is one message.
A message is Slack's ``{"text": ...}``: the transition, the incident's
severity, model and title on the first line, its summary on the second, when
its cause started (or, when unknown, when it was detected) on the third::

    [critical] fraud: incident opened: Input drift: 9 of 13 features shifted
    Higher amount (USD), more Electronics, ... Detected 40 s after Traffic: Sudden shift.
    Started 2026-11-23 11:59:20 UTC (incident 12)

The promotion gate's decisions go the same way (``send``), once per change.
The cycle only enqueues; a daemon thread posts with a timeout and retries with
back-off (0.5, 1, 2 s between attempts). A full queue drops the message (and
logs it) rather than ever stalling a cycle.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from datetime import UTC, datetime

import httpx

from driftwatch_core.incidents import duration
from worker.incidents import Change

log = logging.getLogger(__name__)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def incident_text(change: Change) -> str:
    """The webhook's text of one incident transition (see the module)."""
    where = f"{change.model}: incident"
    if change.action == "resolved" and change.resolved_at is not None:
        took = duration((change.resolved_at - change.opened_at).total_seconds())
        head = f"[resolved] {where} resolved after {took} ({change.severity} at its last): {change.title}"
    elif change.action == "escalated":
        head = f"[{change.severity}] {where} escalated from {change.escalated_from}: {change.title}"
    else:
        head = f"[{change.severity}] {where} {change.action}: {change.title}"
    if change.started_at is not None:
        when = f"Started {_when(change.started_at)}"
    else:
        when = f"Detected {_when(change.opened_at)}"
    return "\n".join(line for line in (head, change.summary, f"{when} (incident {change.incident_id})") if line)


class Notifier:
    def __init__(self, url: str | None, timeout_s: float = 3.0, retries: int = 3, max_queue: int = 100) -> None:
        self.url = url
        self._timeout, self._retries = timeout_s, retries
        self._queue: queue.Queue[str | None] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        if url:
            self._thread = threading.Thread(target=self._run, name="webhook", daemon=True)
            self._thread.start()

    def incident(self, change: Change) -> None:
        """Tell the webhook of one incident transition."""
        self.send(incident_text(change))

    def send(self, text: str) -> None:
        """Queue one message; never waits (a full queue drops it, logged)."""
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
            if attempt:
                time.sleep(delay)
                delay *= 2
            try:
                client.post(self.url, json={"text": text}).raise_for_status()
                return
            except httpx.HTTPError as exc:
                log.warning("webhook attempt %d failed: %s", attempt + 1, exc)
        log.error("webhook gave up on %r", text)

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout) as client:
            while (text := self._queue.get()) is not None:
                self._post(client, text)

    def close(self, timeout_s: float = 1.0) -> None:
        """Stop the webhook thread once the messages already queued are posted, waiting at most
        ``timeout_s`` (the thread is a daemon: what is left then is dropped at exit)."""
        if self._thread is None:
            return
        deadline = time.monotonic() + timeout_s
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout_s)
        self._thread.join(max(0.0, deadline - time.monotonic()))
