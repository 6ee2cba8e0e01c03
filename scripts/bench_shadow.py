#!/usr/bin/env python3
"""What a shadow challenger costs the caller: /predict p99 at a fixed rate with and without one.

Against a running backend (admin key needed): trains a second fraud model in
this process (the trainer of ./scripts/train_model.sh, another seed), registers
it through ``POST /api/v1/models`` with ``stage=shadow``, then alternates
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
import io
import json
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

from driftwatch_core.generator import TransactionGenerator

ROOT = Path(__file__).resolve().parents[1]


def admin_key() -> str | None:
    env_file = Path(os.environ.get("ENV_FILE", ROOT / ".env"))
    found = re.search(r"^ADMIN_API_KEYS=([^,\s]+)", env_file.read_text(), re.M) if env_file.exists() else None
    return os.environ.get("BENCH_API_KEY") or (found.group(1) if found else None)


def challenger_files(seed: int) -> tuple[bytes, bytes]:
    """A second fraud booster (XGBoost JSON) and reference data with labels (CSV)."""
    from app.ml.train import train
    from driftwatch_core import artifacts

    with tempfile.TemporaryDirectory() as folder:
        paths = artifacts.ArtifactPaths(train(Path(folder), rows=20_000, seed=seed))
        raw = paths.booster.read_bytes()
    batch = TransactionGenerator(seed=seed + 1).sample(5_000)
    frame = pd.DataFrame(batch.columns)
    frame["is_fraud"] = batch.labels.astype(bool)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return raw, buffer.getvalue().encode()


async def phase(client: httpx.AsyncClient, bodies: list[dict], rate: float, duration: float) -> np.ndarray:
    latencies: list[float] = []
    errors = 0

    async def call(body: dict) -> None:
        nonlocal errors
        started = time.perf_counter()
        response = await client.post("/api/v1/predict", json=body)
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
    async with httpx.AsyncClient(base_url=args.url, timeout=10, headers=headers) as client:
        (await client.get("/api/v1/ready")).raise_for_status()
        model = (await client.get("/api/v1/model")).json()
        artifact, reference = challenger_files(args.seed)

        registered = await client.post(
            "/api/v1/models",
            data={"name": "fraud", "label": "is_fraud", "threshold": str(model["threshold"]), "stage": "shadow"},
            files={
                "artifact": ("challenger.json", artifact, "application/json"),
                "reference": ("reference.csv", reference, "text/csv"),
                "schema": ("schema.json", json.dumps(model["feature_schema"]).encode(), "application/json"),
            },
            timeout=120,
        )
        registered.raise_for_status()
        challenger = registered.json()["version"]["version"]
        print(f"challenger {challenger} registered in shadow of {model['version']}")
        results: dict[str, list[np.ndarray]] = {"without shadow": [], "with shadow": []}
        scored0, dropped0 = shadow_counts((await client.get("/metrics")).text)
        for _ in range(args.rounds):
            for name in ("without shadow", "with shadow"):
                action = "retire" if name == "without shadow" else "shadow"
                (await client.post(f"/api/v1/models/fraud/versions/{challenger}/{action}")).raise_for_status()
                await asyncio.sleep(2.5)  # every process has switched (ROUTING_POLL_S)
                latencies = await phase(client, bodies, args.rate, args.duration)
                results[name].append(latencies)
                p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
                print(f"{name:<15} {latencies.size:>6} ok  p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms")
        scored1, dropped1 = shadow_counts((await client.get("/metrics")).text)
        (await client.post(f"/api/v1/models/fraud/versions/{challenger}/retire")).raise_for_status()
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
    parser.add_argument("--seed", type=int, default=7, help="seed of the challenger's training data")
    parser.add_argument("--key", default=admin_key(), help="admin key (default: from .env)")
    asyncio.run(main(parser.parse_args()))
