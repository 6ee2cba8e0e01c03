#!/usr/bin/env python3
"""Driftwatch's POST /api/v1/models/fraud/predict side by side with a naive reference server, from one run.

Both servers run side by side, each on a throw-away PostgreSQL database of its own; each phase
runs on one and then the other (alternating which goes first), so the load of a shared machine
falls on both alike, and --rounds repeats them all (the table shows medians):

  fixed rate   --rate req/s for --duration s, open loop: request k is due at start + k/rate and
               its latency counts from that due time, so a late client (or a server that
               stalls the connection) shows in the percentiles instead of being hidden;
  max rate     --concurrency clients in a closed loop, one request in flight each: acknowledged
               (200) per second, errors by status, and stored per second: the rows the
               database holds once the server has drained its queue, per second of the time
               it took to get them stored;
  batch        Driftwatch only: --batch rows per predict/batch call from --batch-clients
               clients, stored rows per second (the naive server has no batch route);
  mixed        Driftwatch only: the fixed rate again while --batch-row batches arrive at
               --mixed-batch-rate per second (open loop too): does scoring a batch hold the
               single predictions up?

First the server's CPU with no traffic is measured (--idle s). Each phase's cost
runs from its start until every row it was answered for is stored: utime+stime of the server's
process tree (/proc/<pid>/stat, its worker processes included) per request; the PostgreSQL
server's CPU (all of it, exited connections included: on a shared machine other databases add
to it); and, exactly, the transactions committed in and the connections opened to the server's
own database (pg_stat_database). The load generator is this process: pre-encoded HTTP/1.1
keep-alive requests over asyncio streams (uvloop when installed), one request in flight per
connection; its CPU and its send lag (how late the open loop sent, ms-grained timers) are
reported, so you can see that it is not the limit.

    .venv/bin/python scripts/bench_predict.py                      # both, 20 s per phase, ~3 min
    .venv/bin/python scripts/bench_predict.py --rounds 3           # medians of three rounds
    .venv/bin/python scripts/bench_predict.py --duration 10 --only naive
    .venv/bin/python scripts/bench_predict.py --url http://127.0.0.1:8000 --key KEY \\
        --database-url postgresql://postgres@127.0.0.1:5432/driftwatch --server-pid PID

Driftwatch is started with `python -m app.serve` (BACKEND_WORKERS=--workers, access log off)
from backend/ unless --url names a running one, after `python -m app.demo` has registered the
demo model in its database; its rows are counted in the database when --database-url is
given, else through GET /api/v1/models/fraud/stats. Needs PostgreSQL (--pg-url, an admin
connection that may CREATE DATABASE). Both servers use the demo model's files kept in
--demo-cache (trained there on the first run, about 10 s; reused after).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from measure_memory import process_tree  # a script beside this one (scripts/ is on sys.path)
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from driftwatch_core.db.engine import normalize_url
from driftwatch_core.generator import TransactionGenerator

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "backend"
READY = "/api/v1/ready"
NAIVE_PREDICT = "/api/v1/predict"  # the naive server's one route


def model_path(model: str, route: str) -> str:
    """A Driftwatch route of ``model`` (``predict``, ``predict/batch``, ``stats``)."""
    return f"/api/v1/models/{model}/{route}"


CLK_TCK = os.sysconf("SC_CLK_TCK")
TIMEOUT_S = 10.0
#: PostgreSQL publishes a busy backend's counters at most once a second, an idle one's 10 s later.
STATS_DELAY_S = 10.5


# --- a lean HTTP/1.1 client ------------------------------------------------------------------


def encode_request(host: str, path: str, body: bytes, key: str | None) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    if key:
        head += f"X-API-Key: {key}\r\n"
    return head.encode() + b"\r\n" + body


class Connection:
    """One keep-alive connection, one request in flight."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        return cls(*await asyncio.open_connection(host, port))

    async def exchange(self, payload: bytes) -> tuple[int, bytes, bool]:
        """Send a pre-encoded request; the status, the body and whether the connection stays open."""
        self.writer.write(payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.index(b"\r\n", at + 2)
            body = await self.reader.readexactly(int(lower[at + 17 : end]))
        elif b"\r\ntransfer-encoding: chunked" in lower:
            body = await self._chunked()
        else:
            raise ValueError("response without Content-Length")
        return status, body, b"\r\nconnection: close" not in lower

    async def _chunked(self) -> bytes:
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(p[:-2] for p in parts)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Recorder:
    latencies: list[float] = field(default_factory=list)  # ms, answered 200
    errors: Counter = field(default_factory=Counter)  # status or exception name -> count
    lags: list[float] = field(default_factory=list)  # ms between a request's due time and its send
    samples: dict[str, str] = field(default_factory=dict)  # the first answer of each error status

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def percentiles(self) -> list[float]:
        return list(np.percentile(self.latencies, [50, 95, 99])) if self.latencies else [float("nan")] * 3


TRANSPORT_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


class Client:
    """Idle keep-alive connections to one server, opened on demand (one request in flight each)."""

    def __init__(self, host: str, port: int, key: str | None) -> None:
        self.host, self.port, self.key = host, port, key
        self.idle: list[Connection] = []

    def request(self, path: str, body: bytes) -> bytes:
        return encode_request(f"{self.host}:{self.port}", path, body, self.key)

    async def send(self, payload: bytes, rec: Recorder, since: float) -> int:
        """One request on an idle (else a new) connection; its latency from ``since`` (a
        perf_counter time) into ``rec``. Returns the status (0 on a transport error)."""
        status, body = 0, b""
        try:
            async with asyncio.timeout(TIMEOUT_S):
                status, body = await self._exchange(payload)
        except TimeoutError:
            rec.errors["timeout"] += 1
        except TRANSPORT_ERRORS as exc:
            rec.errors[type(exc).__name__] += 1
        if status == 200:
            rec.latencies.append((time.perf_counter() - since) * 1000)
        elif status:
            rec.errors[str(status)] += 1
            rec.samples.setdefault(str(status), body[:300].decode(errors="replace"))
        return status

    async def _exchange(self, payload: bytes) -> tuple[int, bytes]:
        while self.idle:
            try:
                return await self._on(self.idle.pop(), payload)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # The server closed this idle connection (its keep-alive timeout) before reading
                # the request: send it on another, as HTTP clients do. A partial answer is an error.
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
        return await self._on(await Connection.open(self.host, self.port), payload)

    async def _on(self, conn: Connection, payload: bytes) -> tuple[int, bytes]:
        try:
            status, body, keep = await conn.exchange(payload)
        except BaseException:  # a timeout's cancellation included: the connection is in an unknown state
            conn.close()
            raise
        if keep:
            self.idle.append(conn)
        else:
            conn.close()
        return status, body

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle.clear()


async def open_loop(client: Client, payloads: list[bytes], rate: float, duration: float) -> Recorder:
    """Request k is due at start + k/rate whatever the answers; latency counts from the due time
    (the event loop's timers are ms-grained: the send lag is recorded too)."""
    rec, pending = Recorder(), set()
    start = time.perf_counter() + 0.01
    for k in range(int(rate * duration)):
        due = start + k / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        rec.lags.append((time.perf_counter() - due) * 1000)
        task = asyncio.create_task(client.send(payloads[k % len(payloads)], rec, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return rec


async def closed_loop(client: Client, payloads: list[bytes], clients: int, duration: float) -> Recorder:
    """``clients`` connections, each sending its next request when the last is answered."""
    rec = Recorder()
    stop = time.perf_counter() + duration

    async def one(offset: int) -> None:
        k = offset
        while (now := time.perf_counter()) < stop:  # an idle connection is free: at most ``clients`` open
            if not await client.send(payloads[k % len(payloads)], rec, now):
                await asyncio.sleep(0.05)  # a transport error: no busy loop against a server that is gone
            k += clients

    await asyncio.gather(*(one(i) for i in range(clients)))
    return rec


# --- CPU of processes ------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state is [0], ppid [1], utime [11])."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        if fields := _stat(pid):
            ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_used(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds between two samples; a process born in between counts from zero (one that
    ended in between is missed: the servers keep theirs)."""
    return sum(t - before.get(pid, 0) for pid, t in after.items()) / CLK_TCK


# --- servers and their databases -------------------------------------------------------------


class Postgres:
    """Throw-away databases on one server, their commit and session counters, the server's CPU."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = normalize_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    @contextlib.contextmanager
    def database(self, prefix: str) -> Iterator[str]:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def counters(self, database: str) -> tuple[int, int]:
        """Transactions committed in ``database`` and sessions opened on it, so far."""
        with self.admin.connect() as conn:
            row = conn.execute(
                text("SELECT xact_commit, sessions FROM pg_stat_database WHERE datname = :d"), {"d": database}
            ).one()
            return int(row[0]), int(row[1])

    def cpu_seconds(self) -> float | None:
        """CPU of the whole PostgreSQL server so far: its live processes plus the children it has
        reaped (connections that ended); None when it does not run on this machine."""
        if self.postmaster is None:
            return None
        ticks = sum(cpu_ticks(process_tree(self.postmaster)).values())
        fields = _stat(self.postmaster)
        return None if fields is None else (ticks + int(fields[13]) + int(fields[14])) / CLK_TCK

    @functools.cached_property
    def postmaster(self) -> int | None:
        with self.admin.connect() as conn:
            if conn.execute(
                text("SELECT inet_server_addr() IS NULL OR host(inet_server_addr()) IN ('127.0.0.1', '::1')")
            ).scalar():
                fields = _stat(int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                return int(fields[1]) if fields else None
        return None


@dataclass
class Target:
    name: str
    host: str
    port: int
    key: str | None
    table: str
    predict_path: str
    batch_path: str | None = None  # None: no batch route
    pid: int | None = None  # the server process (its tree is measured)
    proc: subprocess.Popen | None = None  # when this run started it
    log: Path | None = None
    engine: Engine | None = None  # its database, to count stored rows
    stats_client: Callable[[], int] | None = None  # else the stored total from the model's stats

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stored(self) -> int:
        if self.engine is not None:
            with self.engine.connect() as conn:
                return int(conn.execute(text(f"SELECT count(*) FROM {self.table}")).scalar_one())
        assert self.stats_client is not None
        return self.stats_client()

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            tail = self.log.read_text()[-2000:] if self.log else ""
            raise SystemExit(f"{self.name} exited ({self.proc.returncode}) during the run; its log ends:\n{tail}")

    def database_name(self) -> str | None:
        return self.engine.url.database if self.engine is not None else None


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, key: str | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(url: str, proc: subprocess.Popen | None, log: Path | None, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log else ""
            raise SystemExit(f"the server exited ({proc.returncode}) before it was ready:\n{tail}")
        with contextlib.suppress(OSError):
            if http_get(url + READY)[0] == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{url}{READY} not ready within {timeout_s:.0f} s")


@contextlib.contextmanager
def server(cmd: list[str], cwd: Path, env: dict[str, str], log: Path, base: str) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` in a session of its own (its workers too); yield its pid once ready; stop the group."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(base, proc, log)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        with contextlib.suppress(ProcessLookupError):  # workers that outlived their parent
            os.killpg(proc.pid, signal.SIGKILL)


def register_demo(database_url: str, cache: Path, log: Path) -> None:
    """The demo model registered in ``database_url`` as its champion, as ./scripts/setup.sh does
    (``python -m app.demo``: migrates the database, reuses the trained files kept in ``cache``)."""
    cmd = [sys.executable, "-m", "app.demo", "--database-url", database_url, "--cache", str(cache)]
    with open(log, "ab") as out:
        done = subprocess.run(cmd, cwd=BACKEND, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"python -m app.demo failed ({done.returncode}); its log ends:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def driftwatch(args: argparse.Namespace, pg: Postgres, run_dir: Path) -> Iterator[Target]:
    routes = {"predict_path": model_path(args.model, "predict"), "batch_path": model_path(args.model, "predict/batch")}
    if args.url:
        host, port = args.url.split("://", 1)[1].rstrip("/").rsplit(":", 1)
        engine = create_engine(normalize_url(args.database_url)) if args.database_url else None
        target = Target(
            "driftwatch", host, int(port), args.key, "predictions", pid=args.server_pid, engine=engine, **routes
        )
        if engine is None:
            target.stats_client = lambda: stats_total(target, args.model)
        wait_ready(target.base, None, None, 10)
        yield target
        return
    port = free_port()
    with pg.database("bench_driftwatch") as url:
        log = run_dir / "driftwatch.log"
        print(f"driftwatch: python -m app.demo (the demo model, files in {args.demo_cache}), log {log}")
        register_demo(url, args.demo_cache, log)
        key = secrets.token_urlsafe(32)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ADMIN_API_KEYS": secrets.token_urlsafe(32),
            "PREDICT_API_KEYS": key,
            "RATE_LIMIT_PER_KEY": "1000000/minute",
            "BACKEND_WORKERS": str(args.workers),
            "BACKEND_HOST": "127.0.0.1",
            "BACKEND_PORT": str(port),
        }
        cmd = [sys.executable, "-m", "app.serve"]
        print(f"driftwatch: python -m app.serve (BACKEND_WORKERS={args.workers}), log {log}")
        engine = create_engine(normalize_url(url))
        try:
            with server(cmd, BACKEND, env, log, f"http://127.0.0.1:{port}") as proc:
                yield Target(
                    "driftwatch",
                    "127.0.0.1",
                    port,
                    key,
                    "predictions",
                    pid=proc.pid,
                    proc=proc,
                    log=log,
                    engine=engine,
                    **routes,
                )
        finally:
            engine.dispose()


@contextlib.contextmanager
def naive(args: argparse.Namespace, pg: Postgres, run_dir: Path) -> Iterator[Target]:
    port = free_port()
    with pg.database("bench_naive") as url:
        env = {**os.environ, "DATABASE_URL": url, "DEMO_CACHE_DIR": str(args.demo_cache)}
        cmd = [sys.executable, str(ROOT / "scripts" / "bench_naive_server.py"), "--port", str(port)]
        print(f"naive: scripts/bench_naive_server.py (1 uvicorn worker, access log on), log {run_dir}/naive.log")
        engine = create_engine(normalize_url(url))
        try:
            log = run_dir / "naive.log"
            with server(cmd, ROOT, env, log, f"http://127.0.0.1:{port}") as proc:
                yield Target(
                    "naive",
                    "127.0.0.1",
                    port,
                    None,
                    "naive_predictions",
                    NAIVE_PREDICT,
                    pid=proc.pid,
                    proc=proc,
                    log=log,
                    engine=engine,
                )
        finally:
            engine.dispose()


def stats_total(target: Target, model: str) -> int:
    time.sleep(1.2)  # the stats are computed at most once a second
    path = model_path(model, "stats")
    status, body = http_get(target.base + path, target.key)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: pass --database-url to count rows in the database")
    return int(json.loads(body)["total_predictions"])


# --- one server, every phase -----------------------------------------------------------------


@dataclass
class Phase:
    rec: Recorder
    requests: int  # answered or failed
    rows_acked: int
    elapsed: float
    stored: int | None = None
    store_elapsed: float | None = None  # from the phase's start until the last row was stored
    server_cpu: float | None = None  # seconds, until every row was stored
    pg_cpu: float | None = None  # seconds, the whole PostgreSQL server
    commits: int | None = None  # in the server's database
    sessions: int | None = None  # connections opened to it
    client_cpu: float = 0.0
    mixed: bool = False  # requests of two kinds: no CPU per request

    def per_request_ms(self, cpu: float | None) -> float | None:
        return None if cpu is None or not self.requests else cpu / self.requests * 1000


def drain(target: Target, before: int, started: float, phase_end: float, timeout_s: float = 120) -> tuple[int, float]:
    """Rows stored since ``before`` once the count stops moving, and the seconds from ``started``
    until it last moved (at least the phase's own length)."""
    if target.engine is None:  # counted through /stats: one read after a pause
        time.sleep(2.0)
        return target.stored() - before, time.perf_counter() - started
    last, last_change = target.stored(), time.perf_counter()
    deadline = last_change + timeout_s
    while time.perf_counter() < deadline:
        time.sleep(0.2)
        now = target.stored()
        if now != last:
            last, last_change = now, time.perf_counter()
        elif time.perf_counter() - last_change >= 1.0:
            break
    return last - before, max(last_change, phase_end) - started


async def run_phase(target: Target, pg: Postgres, stats_delay: float, rows_per_request: int, load: Any) -> Phase:
    """Run ``load`` (a coroutine returning a Recorder); the rows stored, and the CPU and database
    work from its start until every row it was answered for is stored (its database's counters
    read ``stats_delay`` seconds after it ended, once PostgreSQL has published them)."""
    db = target.database_name()
    before_rows = target.stored()
    pid = target.pid

    def tree() -> dict[int, int]:
        return cpu_ticks(process_tree(pid)) if pid else {}

    server0, pg0, counters0 = tree(), pg.cpu_seconds(), pg.counters(db) if db else None
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    rec: Recorder = await load
    elapsed = time.perf_counter() - started
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    target.check_alive()
    stored, store_elapsed = drain(target, before_rows, started, started + elapsed)
    server1, pg1 = tree(), pg.cpu_seconds()
    if db:  # a backend that goes idle publishes its last second of counters 10 s later
        time.sleep(max(0.0, started + elapsed + stats_delay - time.perf_counter()))
    counters1 = pg.counters(db) if db else None
    return Phase(
        rec,
        rec.ok + sum(rec.errors.values()),
        rec.ok * rows_per_request,
        elapsed,
        stored,
        store_elapsed,
        cpu_used(server0, server1) if pid else None,
        pg1 - pg0 if pg0 is not None and pg1 is not None else None,
        counters1[0] - counters0[0] if counters0 and counters1 else None,
        counters1[1] - counters0[1] if counters0 and counters1 else None,
        usage1.ru_utime + usage1.ru_stime - usage0.ru_utime - usage0.ru_stime,
    )


def describe(name: str, p: Phase) -> str:
    """Two lines: what the clients saw, then what it cost."""
    p50, p95, p99 = p.rec.percentiles()
    seen = [
        f"  {name:<18} {p.rec.ok:>7} ok {p.rec.ok / p.elapsed:8.1f}/s  p50 {p50:.2f}  p95 {p95:.2f}  p99 {p99:.2f} ms"
    ]
    if p.rec.lags:
        seen.append(f"send lag p99 {np.percentile(p.rec.lags, 99):.2f} ms")
    if p.rec.errors:
        seen.append(f"errors {dict(p.rec.errors)}")
        seen.extend(f"\n{'':<20} first {status}: {body}" for status, body in p.rec.samples.items())
    cost = [f"{'':<20} client CPU {p.client_cpu / p.elapsed:.0%} of a core"]
    if p.stored is not None and p.store_elapsed:
        lost = p.rows_acked - p.stored
        cost.append(f"stored {p.stored} rows, {p.stored / p.store_elapsed:.1f}/s{f' ({lost} LOST)' if lost else ''}")
    if p.server_cpu is not None:
        per = "" if p.mixed else f" ({p.per_request_ms(p.server_cpu):.2f} ms/request)"
        cost.append(f"server CPU {p.server_cpu:.1f} s{per}")
    if p.pg_cpu is not None:
        cost.append(f"PostgreSQL CPU {p.pg_cpu:.1f} s")
    if p.commits is not None:
        cost.append(f"{p.commits} commits, {p.sessions} connections opened")
    return "  ".join(seen) + "\n" + "  ".join(cost)


@dataclass
class Bench:
    """One server under test: its client, its pre-encoded requests, its figures per round."""

    target: Target
    client: Client
    predicts: list[bytes]
    batches: list[bytes]
    out: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float | None) -> None:
        if value is not None:
            self.out.setdefault(key, []).append(value)


async def prepare(target: Target, args: argparse.Namespace, bodies: list[bytes]) -> Bench:
    """A first answer checked, then a warm-up (imports, pools, caches) that is not measured."""
    client = Client(target.host, target.port, target.key)
    rows, size = [json.loads(b) for b in bodies], max(args.batch, 1)
    batches = [  # the rows in turn, as many as a batch holds (repeated when it holds more)
        client.request(
            target.batch_path or "",
            json.dumps({"rows": [rows[(k * size + j) % len(rows)] for j in range(size)]}).encode(),
        )
        for k in range(max(len(rows) // size, 1))
    ]
    bench = Bench(target, client, [client.request(target.predict_path, b) for b in bodies], batches)
    probe = Recorder()
    if (status := await client.send(bench.predicts[0], probe, time.perf_counter())) != 200:
        raise SystemExit(f"{target.name}: the first /predict answered {status or dict(probe.errors)}")
    await closed_loop(client, bench.predicts, 4, args.warmup)
    await asyncio.to_thread(drain, target, 0, time.perf_counter(), time.perf_counter())
    return bench


async def phase_idle(b: Bench, args: argparse.Namespace, pg: Postgres) -> None:
    """What the server burns with no traffic at all."""
    if not (b.target.pid and args.idle):
        return
    idle0 = cpu_ticks(process_tree(b.target.pid))
    await asyncio.sleep(args.idle)
    b.add("idle", cpu_used(idle0, cpu_ticks(process_tree(b.target.pid))) / args.idle * 100)
    print(f"  {b.target.name}: idle {args.idle:g} s, server CPU {b.out['idle'][-1]:.1f}% of a core")


async def phase_fixed(b: Bench, args: argparse.Namespace, pg: Postgres) -> None:
    fixed = await run_phase(
        b.target, pg, args.stats_delay, 1, open_loop(b.client, b.predicts, args.rate, args.duration)
    )
    print(describe(f"{b.target.name}: fixed {args.rate:g}/s", fixed))
    for key, value in zip(("p50", "p95", "p99"), fixed.rec.percentiles(), strict=True):
        b.add(key, value)
    b.add("fixed_errors", sum(fixed.rec.errors.values()))
    b.add("cpu_fixed", fixed.per_request_ms(fixed.server_cpu))
    b.add("lag_p99", float(np.percentile(fixed.rec.lags, 99)) if fixed.rec.lags else None)


async def phase_max(b: Bench, args: argparse.Namespace, pg: Postgres) -> None:
    top = await run_phase(
        b.target, pg, args.stats_delay, 1, closed_loop(b.client, b.predicts, args.concurrency, args.duration)
    )
    print(describe(f"{b.target.name}: max (c={args.concurrency})", top))
    b.add("ack", top.rec.ok / top.elapsed)
    b.add("max_p99", top.rec.percentiles()[2])
    b.add("max_errors", sum(top.rec.errors.values()))
    if top.stored is not None and top.store_elapsed:
        b.add("stored", top.stored / top.store_elapsed)
    b.add("cpu_max", top.per_request_ms(top.server_cpu))
    b.add("pg_cpu_max", top.per_request_ms(top.pg_cpu))
    if top.commits is not None and top.requests:
        b.add("commits_max", top.commits / top.requests)
        b.add("sessions_max", top.sessions or 0)
    b.add("client_cpu", top.client_cpu / top.elapsed * 100)


async def phase_batch(b: Bench, args: argparse.Namespace, pg: Postgres) -> None:
    if not (b.target.batch_path and args.batch):
        return
    load = closed_loop(b.client, b.batches, args.batch_clients, args.duration)
    batch = await run_phase(b.target, pg, args.stats_delay, args.batch, load)
    print(describe(f"{b.target.name}: batch {args.batch} (c={args.batch_clients})", batch))
    if batch.stored is not None and batch.store_elapsed:
        b.add("batch", batch.stored / batch.store_elapsed)
    if (ms := batch.per_request_ms(batch.server_cpu)) is not None:
        b.add("cpu_batch_row", ms / args.batch)
    b.add("batch_errors", sum(batch.rec.errors.values()))


async def phase_mixed(b: Bench, args: argparse.Namespace, pg: Postgres) -> None:
    """Single predictions at --rate while batches arrive at --mixed-batch-rate (both open loop):
    does scoring a batch hold the single predictions up?"""
    if not (b.target.batch_path and args.batch and args.mixed_batch_rate):
        return
    batch_client, batch_rec = Client(b.target.host, b.target.port, b.target.key), Recorder()

    async def both() -> Recorder:
        load = open_loop(batch_client, b.batches, args.mixed_batch_rate, args.duration)
        singles, done = await asyncio.gather(open_loop(b.client, b.predicts, args.rate, args.duration), load)
        batch_rec.latencies, batch_rec.errors = done.latencies, done.errors
        return singles

    try:
        mixed = await run_phase(b.target, pg, args.stats_delay, 1, both())
    finally:
        batch_client.close()
    mixed.rows_acked += batch_rec.ok * args.batch
    mixed.mixed = True
    print(describe(f"{b.target.name}: {args.rate:g}/s + {args.mixed_batch_rate:g} batches/s", mixed))
    bp50, _, bp99 = batch_rec.percentiles()
    print(
        f"{'':<20} the {batch_rec.ok} batches of {args.batch}: p50 {bp50:.1f}  p99 {bp99:.1f} ms,"
        f" errors {dict(batch_rec.errors) or 0}"
    )
    b.add("mixed_p50", mixed.rec.percentiles()[0])
    b.add("mixed_p99", mixed.rec.percentiles()[2])
    b.add("mixed_errors", sum(mixed.rec.errors.values()) + sum(batch_rec.errors.values()))


PHASES = (phase_idle, phase_fixed, phase_max, phase_batch, phase_mixed)


# --- the report ------------------------------------------------------------------------------

ROWS: tuple[tuple[str, str, str], ...] = (
    ("p50", "predict p50 @{rate}/s (ms)", "{:.2f}"),
    ("p95", "predict p95 @{rate}/s (ms)", "{:.2f}"),
    ("p99", "predict p99 @{rate}/s (ms)", "{:.2f}"),
    ("fixed_errors", "predict errors @{rate}/s", "{:.0f}"),
    ("stored", "predict max stored/s (c={c})", "{:.0f}"),
    ("ack", "predict max acknowledged/s (c={c})", "{:.0f}"),
    ("max_p99", "predict p99 at max rate (ms)", "{:.1f}"),
    ("max_errors", "predict errors at max rate", "{:.0f}"),
    ("cpu_fixed", "server CPU per request @{rate}/s (ms)", "{:.2f}"),
    ("cpu_max", "server CPU per request (c={c}) (ms)", "{:.2f}"),
    ("pg_cpu_max", "postgres CPU per request (c={c}) (ms)", "{:.2f}"),
    ("commits_max", "postgres commits per request (c={c})", "{:.3f}"),
    ("sessions_max", "postgres connections opened (c={c})", "{:.0f}"),
    ("batch", "batch {batch} stored rows/s", "{:.0f}"),
    ("batch_errors", "batch {batch} calls refused", "{:.0f}"),
    ("cpu_batch_row", "server CPU per batch row (ms)", "{:.3f}"),
    ("mixed_p50", "predict p50 @{rate}/s + {mbr} batches/s (ms)", "{:.2f}"),
    ("mixed_p99", "predict p99 @{rate}/s + {mbr} batches/s (ms)", "{:.2f}"),
    ("mixed_errors", "errors @{rate}/s + {mbr} batches/s", "{:.0f}"),
    ("idle", "server CPU with no traffic (% of a core)", "{:.1f}"),
    ("client_cpu", "load generator CPU at max rate (%)", "{:.0f}"),
    ("lag_p99", "load generator send lag p99 @{rate}/s (ms)", "{:.2f}"),
)


def table(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    names = list(results)
    both = len(names) == 2
    lines = [f"{'':<40}" + "".join(f"{n:>12}" for n in names) + (f"{'ratio':>10}" if both else "")]
    for key, label, fmt in ROWS:
        label = label.format(
            rate=f"{args.rate:g}", c=args.concurrency, batch=args.batch, mbr=f"{args.mixed_batch_rate:g}"
        )
        cells = [results[n].get(key) for n in names]
        line = f"{label:<40}" + "".join(f"{fmt.format(v) if v is not None else '—':>12}" for v in cells)
        if both:
            a, b = cells
            comparable = key not in ("client_cpu", "lag_p99", "sessions_max") and "errors" not in key
            ratio = f"{a / b:.2f}x" if comparable and a is not None and b else ""
            line += f"{ratio or '—':>10}"
        lines.append(line)
    if both:
        lines.append(f"ratio = {names[0]} / {names[1]}")
    return "\n".join(lines)


def default_key() -> str | None:
    import re

    env_file = Path(os.environ.get("ENV_FILE", ROOT / ".env"))
    found = re.search(r"^PREDICT_API_KEYS=([^,\s]+)", env_file.read_text(), re.M) if env_file.exists() else None
    return os.environ.get("BENCH_API_KEY") or (found.group(1) if found else None)


async def main(args: argparse.Namespace) -> None:
    bodies = [json.dumps(r).encode() for r in TransactionGenerator(seed=123).sample(5_000).records()]
    pg = Postgres(args.pg_url)
    servers = [(n, start) for n, start in (("driftwatch", driftwatch), ("naive", naive)) if args.only in (None, n)]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp, contextlib.ExitStack() as stack:
            run_dir = Path(args.log_dir) if args.log_dir else Path(tmp)
            run_dir.mkdir(parents=True, exist_ok=True)
            benches = []
            for _name, start in servers:
                target = stack.enter_context(start(args, pg, run_dir))
                benches.append(await prepare(target, args, bodies))
                stack.callback(benches[-1].client.close)
            await asyncio.sleep(args.stats_delay)  # the warm-ups' database counters published
            # Both servers stay up (an idle one costs ~1% of a core); each phase runs on one, then
            # the other, in alternating order, so a shared machine's load falls on both alike.
            for round_ in range(args.rounds):
                print(f"\nround {round_ + 1} of {args.rounds}")
                for i, phase in enumerate(PHASES):
                    print(f"  (load average {os.getloadavg()[0]:.2f})")
                    for bench in benches if (i + round_) % 2 == 0 else benches[::-1]:
                        await phase(bench, args, pg)
                        bench.target.check_alive()
            results = {b.target.name: {k: float(np.median(v)) for k, v in b.out.items()} for b in benches}
    finally:
        pg.admin.dispose()
    print()
    if args.rounds > 1:
        print(f"medians of {args.rounds} rounds")
    print(table(results, args))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase (default 20)")
    parser.add_argument("--rate", type=float, default=100.0, help="fixed-rate phase, requests/s (default 100)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients in the max-rate phase (default 16)")
    parser.add_argument("--batch", type=int, default=1000, help="rows per /predict/batch call (0 skips the phase)")
    parser.add_argument("--batch-clients", type=int, default=2, help="clients in the batch phase (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="Driftwatch's BACKEND_WORKERS (default 2)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every phase; the table shows medians")
    parser.add_argument(
        "--mixed-batch-rate",
        type=float,
        default=2.0,
        help="batches/s alongside the fixed rate in the mixed phase (Driftwatch only; 0 skips it)",
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before the phases")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of no traffic measured (0 skips)")
    parser.add_argument("--only", choices=("driftwatch", "naive"), help="measure one server only")
    parser.add_argument("--url", help="a running Driftwatch instead of starting one (e.g. http://127.0.0.1:8000)")
    parser.add_argument("--key", default=default_key(), help="with --url: a predict key (default from .env)")
    parser.add_argument("--database-url", help="with --url: its database, to count stored rows there")
    parser.add_argument("--server-pid", type=int, help="with --url: its server process, to measure CPU")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL admin URL where throw-away databases are created",
    )
    parser.add_argument("--model", default="fraud", help="the registered model to score (default fraud, the demo)")
    parser.add_argument(
        "--demo-cache",
        type=Path,
        default=Path(os.environ.get("DEMO_CACHE_DIR") or ROOT / ".cache" / "demo").resolve(),
        help="where the demo model's trained files are kept and reused (default DEMO_CACHE_DIR or .cache/demo)",
    )
    parser.add_argument(
        "--stats-delay",
        type=float,
        default=STATS_DELAY_S,
        help=f"seconds after a phase for PostgreSQL to publish its counters (default {STATS_DELAY_S:g}; "
        "less undercounts commits and connections)",
    )
    parser.add_argument("--log-dir", help="keep the servers' logs here (default: a temporary folder)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    try:
        import uvloop

        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main(arguments))
