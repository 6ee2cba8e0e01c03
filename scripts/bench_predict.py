#!/usr/bin/env python3
"""Load-test POST /api/v1/predict of a running backend from a second process.

Two phases, each printing achieved throughput, errors and client-side latency
p50/p95/p99: a fixed rate (requests scheduled every 1/rate s) and the maximum
rate (a closed loop of --concurrency clients). It then checks that every
accepted prediction was stored (the total in /api/v1/stats).

    ./scripts/setup.sh --local            # or any running backend
    .venv/bin/python scripts/bench_predict.py --url http://127.0.0.1:8000 --rate 200 --duration 20

The key is --key, else BENCH_API_KEY, else the first PREDICT_API_KEYS entry of
./.env; the backend's RATE_LIMIT_PER_KEY must allow the maximum rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import time
from pathlib import Path

import httpx
import numpy as np

from driftwatch_core.generator import TransactionGenerator

ROOT = Path(__file__).resolve().parents[1]


class Recorder:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    async def call(self, client: httpx.AsyncClient, body: dict) -> None:
        started = time.perf_counter()
        try:
            response = await client.post("/api/v1/predict", json=body)
            key = None if response.status_code == 200 else str(response.status_code)
        except httpx.HTTPError as exc:
            key = type(exc).__name__
        if key is None:
            self.latencies.append((time.perf_counter() - started) * 1000)
        else:
            self.errors[key] = self.errors.get(key, 0) + 1

    def report(self, name: str, elapsed: float) -> None:
        lat = np.array(self.latencies)
        pct = np.percentile(lat, [50, 95, 99]) if lat.size else [float("nan")] * 3
        print(
            f"{name:<14} {lat.size:>7} ok  {sum(self.errors.values()):>5} errors {self.errors or ''}"
            f"  {lat.size / elapsed:8.1f} req/s  p50 {pct[0]:6.2f} ms  p95 {pct[1]:6.2f} ms  p99 {pct[2]:6.2f} ms"
        )


async def fixed_rate(client, bodies, rate: float, duration: float) -> None:
    rec, tasks = Recorder(), []
    start = time.perf_counter()
    for k in range(int(rate * duration)):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(rec.call(client, bodies[k % len(bodies)])))
    await asyncio.gather(*tasks)
    rec.report(f"fixed {rate:g}/s", time.perf_counter() - start)


async def max_rate(client, bodies, concurrency: int, duration: float) -> None:
    rec = Recorder()
    start = time.perf_counter()
    stop = start + duration

    async def loop(offset: int) -> None:
        k = offset
        while time.perf_counter() < stop:
            await rec.call(client, bodies[k % len(bodies)])
            k += concurrency

    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    rec.report(f"max (c={concurrency})", time.perf_counter() - start)


async def batch_storage(client, bodies, size: int, duration: float) -> None:
    """How many predictions per second the service scores AND stores via /predict/batch."""
    before, sent, start = await stored_total(client), 0, time.perf_counter()
    while time.perf_counter() - start < duration:
        (await client.post("/api/v1/predict/batch", json={"transactions": bodies[:size]})).raise_for_status()
        sent += size
    await drain(client)
    elapsed = time.perf_counter() - start
    stored = await stored_total(client) - before
    print(f"batch {size:<8} {stored:>7} stored of {sent} sent  {stored / elapsed:8.1f} stored predictions/s")


async def drain(client: httpx.AsyncClient, timeout_s: float = 30.0) -> None:
    """Wait until the service has stored everything it accepted (or ``timeout_s``)."""
    deadline = time.perf_counter() + timeout_s
    while (await client.get("/api/v1/stats")).json()["pending_writes"] and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)


async def stored_total(client: httpx.AsyncClient) -> int:
    await asyncio.sleep(1.5)  # stats are computed at most once a second
    return (await client.get("/api/v1/stats")).json()["total_predictions"]


def default_key() -> str | None:
    env_file = Path(os.environ.get("ENV_FILE", ROOT / ".env"))
    found = re.search(r"^PREDICT_API_KEYS=([^,\s]+)", env_file.read_text(), re.M) if env_file.exists() else None
    return os.environ.get("BENCH_API_KEY") or (found.group(1) if found else None)


async def main(args: argparse.Namespace) -> None:
    bodies = TransactionGenerator(seed=123).sample(5_000).records()
    limits = httpx.Limits(max_connections=args.concurrency * 2, max_keepalive_connections=args.concurrency * 2)
    headers = {"X-API-Key": args.key} if args.key else {}
    async with httpx.AsyncClient(base_url=args.url, timeout=10, limits=limits, headers=headers) as client:
        (await client.get("/api/v1/ready")).raise_for_status()
        before = await stored_total(client)
        await fixed_rate(client, bodies, args.rate, args.duration)
        await max_rate(client, bodies, args.concurrency, args.duration)
        if args.batch:
            await batch_storage(client, bodies, args.batch, args.duration)
        await drain(client)
        print(f"stored during the run: {await stored_total(client) - before} predictions")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="backend base URL")
    parser.add_argument("--rate", type=float, default=200.0, help="fixed-rate phase, requests/s")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--concurrency", type=int, default=32, help="clients in the max-rate phase")
    parser.add_argument("--batch", type=int, default=1000, help="rows per call in the storage phase (0 skips it)")
    parser.add_argument("--key", default=default_key(), help="predict or admin key (default: from .env)")
    asyncio.run(main(parser.parse_args()))
