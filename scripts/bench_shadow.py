#!/usr/bin/env python3
"""What a shadow challenger costs the caller: predict p99 at a fixed rate with and without one.

Against a running backend (admin key needed): trains another version of the demo
model in this process (``app.demo.model``, the trainer of ./scripts/train_model.sh,
another seed), registers it through ``POST /api/v1/models`` with ``stage=shadow``
as any upload (booster, reference table with its label, schema), then alternates
fixed-rate phases without the shadow (it is retired) and with it (put back in
shadow), ``--rounds`` times each, and prints client-side p50/p95/p99 of every
phase, p99 pooled over all phases of each kind and their difference, the median
of the paired differences, and how many shadow rows were scored and dropped
(from /metrics).

    ./scripts/setup.sh --local
    .venv/bin/python scripts/bench_shadow.py --rate 100 --duration 20 --rounds 3

The key is --key, else BENCH_API_KEY, else the first ADMIN_API_KEYS entry of ./.env.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import time
from pathlib import Path

import httpx
import numpy as np

from driftwatch_core.generator import TransactionGenerator

ROOT = Path(__file__).resolve().parents[1]


def admin_key() -> str | None:
    env_file = Path(os.environ.get("ENV_FILE", ROOT / ".env"))
    found = re.search(r"^ADMIN_API_KEYS=([^,\s]+)", env_file.read_text(), re.M) if env_file.exists() else None
    return os.environ.get("BENCH_API_KEY") or (found.group(1) if found else None)


def register_challenger(client: httpx.Client, model: str, seed: int, rows: int) -> str:
    """Another version of the demo model trained on ``rows`` transactions of ``seed``, registered
    in shadow of ``model``'s champion; its version."""
    from app.demo.model import LABEL, train

    files = train(rows=rows, seed=seed)
    registered = client.post(
        "/api/v1/models",
        data={"name": model, "label": LABEL, "threshold": str(files.threshold), "stage": "shadow"},
        files={
            "artifact": ("challenger.json", files.artifact, "application/json"),
            "reference": ("reference.parquet", files.reference, "application/vnd.apache.parquet"),
            "schema": ("schema.json", json.dumps(files.schema).encode(), "application/json"),
        },
        timeout=120,
    )
    if registered.status_code != 201:
        raise SystemExit(f"POST /api/v1/models answered {registered.status_code}: {registered.text[:1000]}")
    return registered.json()["version"]["version"]


async def phase(client: httpx.AsyncClient, path: str, bodies: list[dict], rate: float, duration: float) -> np.ndarray:
    latencies: list[float] = []
    errors = 0

    async def call(body: dict) -> None:
        nonlocal errors
        started = time.perf_counter()
        response = await client.post(path, json=body)
        if response.status_code == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors += 1

    tasks, start = [], time.perf_counter()
    for k in range(int(rate * duration)):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(call(bodies[k % len(bodies)])))
    await asyncio.gather(*tasks)
    if errors:
        raise SystemExit(f"{errors} requests failed")
    return np.array(latencies)


def shadow_counts(metrics: str) -> tuple[float, float]:
    def total(name: str) -> float:
        return sum(float(v) for v in re.findall(rf"^{name}_total{{[^}}]*}} (\S+)$", metrics, re.M))

    return total("driftwatch_shadow_scored"), total("driftwatch_shadow_dropped")


async def main(args: argparse.Namespace) -> None:
    bodies = TransactionGenerator(seed=123).sample(5_000).records()
    headers = {"X-API-Key": args.key} if args.key else {}
    versions = f"/api/v1/models/{args.model}/versions"
    predict = f"/api/v1/models/{args.model}/predict"
    with httpx.Client(base_url=args.url, timeout=10, headers=headers) as sync_client:
        sync_client.get("/api/v1/ready").raise_for_status()
        champion = sync_client.get(f"/api/v1/models/{args.model}/model")
        if champion.status_code != 200:
            raise SystemExit(f"GET /api/v1/models/{args.model}/model answered {champion.status_code}: {champion.text}")
        challenger = register_challenger(sync_client, args.model, args.seed, args.rows)
    print(f"challenger {challenger} registered in shadow of {champion.json()['version']}")
    async with httpx.AsyncClient(base_url=args.url, timeout=10, headers=headers) as client:
        results: dict[str, list[np.ndarray]] = {"without shadow": [], "with shadow": []}
        scored0, dropped0 = shadow_counts((await client.get("/metrics")).text)
        for _ in range(args.rounds):
            for name in ("without shadow", "with shadow"):
                action = "retire" if name == "without shadow" else "shadow"
                (await client.post(f"{versions}/{challenger}/{action}")).raise_for_status()
                await asyncio.sleep(args.switch_wait)  # every process has switched (ROUTING_POLL_S)
                latencies = await phase(client, predict, bodies, args.rate, args.duration)
                results[name].append(latencies)
                p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
                print(f"{name:<15} {latencies.size:>6} ok  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms")
        scored1, dropped1 = shadow_counts((await client.get("/metrics")).text)
        (await client.post(f"{versions}/{challenger}/retire")).raise_for_status()
        # Pooled over every phase (the machine's own drift between phases averages out), and the
        # median of the paired differences (each phase against the one just before it).
        pooled = {name: float(np.percentile(np.concatenate(runs), 99)) for name, runs in results.items()}
        paired = statistics.median(
            float(np.percentile(w, 99) - np.percentile(wo, 99))
            for wo, w in zip(results["without shadow"], results["with shadow"], strict=True)
        )
        print(
            f"p99 over all phases: without {pooled['without shadow']:.2f} ms, with {pooled['with shadow']:.2f} ms, "
            f"difference {pooled['with shadow'] - pooled['without shadow']:+.2f} ms; median paired difference "
            f"{paired:+.2f} ms; shadow rows scored {scored1 - scored0:.0f}, dropped {dropped1 - dropped0:.0f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="backend base URL")
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s in every phase")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=3, help="phases with and without the shadow, alternating")
    parser.add_argument("--model", default="fraud", help="the registered model (default fraud, the demo model)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the challenger's training data")
    parser.add_argument("--rows", type=int, default=20_000, help="transactions the challenger is trained on")
    parser.add_argument(
        "--switch-wait", type=float, default=2.5, help="seconds for every backend process to switch (ROUTING_POLL_S)"
    )
    parser.add_argument("--key", default=admin_key(), help="admin key (default: from .env)")
    asyncio.run(main(parser.parse_args()))
