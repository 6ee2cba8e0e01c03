"""The webhook: one message per incident transition, posted to a real HTTP server off the cycle's thread."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from driftwatch_core.db.models import Alert, Incident
from driftwatch_core.generator import TransactionGenerator
from worker.cycle import Monitor
from worker.incidents import Change
from worker.notify import Notifier, incident_text

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
#: A safety net for tests that hold the webhook: released by then, a regression fails instead of hanging.
HOLD_AT_MOST_S = 60


class Hook:
    """A Slack-compatible webhook on a free port: keeps every JSON body it accepted. The first
    ``fail_first`` requests get a 500; with ``hold``, each request waits until it is set."""

    def __init__(self, fail_first: int = 0, hold: threading.Event | None = None) -> None:
        self.bodies: list[dict] = []
        self.requests = 0
        self.changed = threading.Condition()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hook.changed:
                    hook.requests += 1
                    failing = hook.requests <= fail_first
                    hook.changed.notify_all()
                if hold is not None:
                    hold.wait(HOLD_AT_MOST_S)
                if not failing:
                    with hook.changed:
                        hook.bodies.append(body)
                        hook.changed.notify_all()
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait_for_requests(self, n: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.requests >= n, HOLD_AT_MOST_S), self.requests

    def texts(self) -> list[str]:
        with self.changed:
            return [body["text"] for body in self.bodies]


@pytest.fixture
def hook() -> Iterator[Hook]:
    server = Hook(fail_first=1)
    yield server
    server.server.shutdown()


def change(action: str, **overrides) -> Change:
    values = dict(
        action=action,
        incident_id=12,
        model="cancer",
        cause="drift",
        severity="critical",
        title="Input drift: Mean radius and Mean texture shifted",
        summary="Higher mean radius, higher mean texture.",
        opened_at=NOW,
        started_at=NOW - timedelta(seconds=40),
    )
    return Change(**{**values, **overrides})


def test_the_text_of_each_transition_names_model_severity_title_summary_and_start():
    assert incident_text(change("opened")).splitlines() == [
        "[critical] cancer: incident opened: Input drift: Mean radius and Mean texture shifted",
        "Higher mean radius, higher mean texture.",
        "Started 2026-11-23 11:59:20 UTC (incident 12)",
    ]
    escalated = incident_text(change("escalated", escalated_from="warning", started_at=None))
    assert escalated.splitlines()[0] == (
        "[critical] cancer: incident escalated from warning: Input drift: Mean radius and Mean texture shifted"
    )
    assert escalated.splitlines()[2] == "Detected 2026-11-23 12:00:00 UTC (incident 12)"  # its start is unknown
    resolved = incident_text(change("resolved", resolved_at=NOW + timedelta(minutes=21), summary=""))
    assert resolved.splitlines() == [
        "[resolved] cancer: incident resolved after 21 min (critical at its last): "
        "Input drift: Mean radius and Mean texture shifted",
        "Started 2026-11-23 11:59:20 UTC (incident 12)",
    ]


@pytest.mark.slow
def test_a_shift_of_many_alerts_is_one_message_when_it_opens_and_one_when_it_resolves(
    settings, store, clean_db, strong_drift, hook
):
    """About fourteen alerts open together and are one incident: the webhook hears of it once
    (after one failed attempt), nothing while it holds, once more when it resolves."""
    notifier = Notifier(hook.url, timeout_s=5, retries=2)
    monitor = Monitor(settings, clean_db, notifier)
    gen = TransactionGenerator(seed=6)
    store(gen.sample(2_000), NOW, 290)
    store(gen.sample(1_000, strong_drift), NOW, 90)
    try:
        first = monitor.run_cycle(NOW)["fraud"]
        monitor.run_cycle(NOW + timedelta(seconds=30))  # the shift holds: the alerts join the incident
        later = NOW + timedelta(minutes=20)
        store(gen.sample(3_000), later + timedelta(minutes=2), 400)
        for i in range(3):  # the third clear cycle resolves the alerts and the incident
            monitor.run_cycle(later + timedelta(seconds=30 * i))
    finally:
        notifier.close(timeout_s=HOLD_AT_MOST_S)  # posts what is queued first
    with clean_db.connect() as conn:
        [incident] = conn.execute(select(Incident)).all()
        n_alerts = len(conn.execute(select(Alert)).all())
    assert first is not None and len(first.events) == n_alerts > 5
    assert [c.action for c in first.incident_changes] == ["opened"]
    opened, resolved = hook.texts()
    assert hook.requests == 3  # the first attempt got a 500 and was retried
    assert opened.splitlines() == [
        f"[critical] fraud: incident opened: {first.incident_changes[0].title}",
        first.incident_changes[0].summary,
        f"Started 2026-11-23 11:55:00 UTC (incident {incident.id})",  # the window that first showed it
    ]
    assert resolved.startswith(
        f"[resolved] fraud: incident resolved after 21 min (critical at its last): {incident.title}"
    )


@pytest.mark.slow
def test_a_webhook_that_does_not_answer_never_stalls_the_sender_and_a_full_queue_drops(caplog):
    release = threading.Event()
    held = Hook(hold=release)
    notifier = Notifier(held.url, timeout_s=HOLD_AT_MOST_S, retries=0, max_queue=2)
    try:
        notifier.send("m0")
        held.wait_for_requests(1)  # the webhook thread is inside its POST, held there
        with caplog.at_level(logging.WARNING, logger="worker.notify"):
            for i in range(1, 8):
                notifier.send(f"m{i}")  # returns at once: two wait in the queue, five are dropped
        dropped = [r.getMessage() for r in caplog.records if "webhook queue full" in r.getMessage()]
        assert dropped == [f"webhook queue full: dropped 'm{i}'" for i in range(3, 8)]
        release.set()
        notifier.close(timeout_s=HOLD_AT_MOST_S)
        assert held.texts() == ["m0", "m1", "m2"]
    finally:
        release.set()
        held.server.shutdown()
