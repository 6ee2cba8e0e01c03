"""MAX_BODY_BYTES counts the bytes received, not the bytes announced, on a real server; and a
chunked body is measured before the route runs, whether the route reads a body or not."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.middleware import BodyGuard, BodyTooLarge
from driftwatch_testing import auth, clear_tables, insert_demo, run_backend

MiB = 1024 * 1024
LIMIT = 8 * MiB  # the default MAX_BODY_BYTES
SENT = 64 * MiB


def _pid_listening_on(port: int) -> int:
    """The server process run_backend started on ``port`` (``python -m app.serve`` with its
    ``BACKEND_PORT``; one server process, so the one that reads the bodies)."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                args = (proc / "cmdline").read_bytes().split(b"\0")
                env = (proc / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"app.serve" in args and f"BACKEND_PORT={port}".encode() in env:
                return int(proc.name)
    raise LookupError(f"no server on port {port}")


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError("VmRSS")


class PeakRss:
    """Samples a process's RSS in the background; ``peak`` is the largest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, _rss_bytes(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_bytes(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    # A JSON-looking body of ``total`` bytes, produced lazily (httpx sends it chunked).
    yield b'{"rows": ['
    sent = 10
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.fixture(scope="module")
def backend(database_url, engine, tmp_path_factory) -> Iterator[str]:
    clear_tables(engine)
    insert_demo(engine)
    with run_backend(database_url, tmp_path_factory.mktemp("limit") / "backend.log", MAX_BODY_BYTES=str(LIMIT)) as base:
        yield base


@pytest.mark.slow
def test_a_chunked_body_past_the_limit_is_cut_off_without_being_buffered(backend):
    pid = _pid_listening_on(httpx.URL(backend).port)
    with httpx.Client(base_url=backend, headers={**auth(), "content-type": "application/json"}, timeout=60) as client:
        assert client.get("/api/v1/stats").status_code == 200  # warm: imports, pools, caches
        before = _rss_bytes(pid)
        with PeakRss(pid) as rss:
            response = client.post("/api/v1/predict/batch", content=_chunks(SENT))
        assert "content-length" not in response.request.headers  # it really was chunked
    assert response.status_code == 413, response.text
    assert response.json()["status"] == 413 and str(LIMIT) in response.json()["detail"]
    assert rss.peak - before < 50 * MiB, f"RSS grew by {(rss.peak - before) / MiB:.0f} MiB"


@pytest.mark.slow
def test_a_chunked_body_under_the_limit_is_served(backend, transaction):
    body = json.dumps({"rows": [transaction] * 50}).encode()
    pieces = (body[i : i + 1000] for i in range(0, len(body), 1000))
    response = httpx.post(
        f"{backend}/api/v1/predict/batch",
        content=pieces,
        timeout=30,
        headers={**auth(), "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 50


@pytest.mark.asyncio
async def test_reading_stops_at_the_limit():
    """The guard asks for no more of the body once the limit is passed."""
    asked = 0

    async def receive():
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def app(scope, receive, send):
        while True:  # an app that would read forever
            await receive()

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/predict",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }
    await BodyGuard(app, max_body_bytes=4096, max_upload_bytes=8192)(scope, receive, send)
    assert asked == 5  # 5,000 bytes: the fifth read passes 4,096
    assert sent[0]["status"] == BodyTooLarge(4096).status_code == 413


@pytest.mark.asyncio
async def test_a_chunked_body_is_measured_before_a_route_that_reads_none():
    """A route that takes no body (acknowledge an incident) never reads one: the guard reads it first,
    refuses it with 413 once past the limit, and the route never runs."""
    asked, ran = 0, False

    async def receive():
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def app(scope, receive, send):
        nonlocal ran
        ran = True
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/incidents/1/acknowledge",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }
    await BodyGuard(app, max_body_bytes=4096, max_upload_bytes=8192)(scope, receive, send)
    assert (asked, ran, sent[0]["status"]) == (5, False, 413)
