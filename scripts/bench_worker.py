#!/usr/bin/env python
"""Time one monitoring cycle over windows of 10k, 100k and 1M predictions.

Fills a throw-away PostgreSQL database (created next to TEST_DATABASE_URL,
dropped afterwards) with generated predictions through COPY, half of them
labelled, then runs the worker's cycle over a window that holds them all and
prints the time. Usage::

    .venv/bin/python scripts/bench_worker.py [10000 100000 ...]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from driftwatch_core import artifacts
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import ModelVersion
from driftwatch_core.db.schema import init_schema
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import clear_tables, temporary_database
from worker.config import WorkerSettings
from worker.cycle import Monitor

CHUNK = 50_000


def _copy(engine, table: str, columns: str, lines: list[str]) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(lines)))
        raw.commit()
    finally:
        raw.close()


def fill(engine, version: str, n: int, now: datetime) -> None:
    """``n`` predictions spread over the last 4 minutes, every other one labelled."""
    gen, rng = TransactionGenerator(seed=n), np.random.default_rng(n)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        batch = gen.sample(size)
        scores = rng.beta(0.6, 12.0, size)
        ages = rng.uniform(1, 240, size)
        preds, labels = [], []
        for i, record in enumerate(batch.records()):
            pid, created = uuid.uuid4(), now - timedelta(seconds=float(ages[i]))
            features = json.dumps(record).replace("\\", "\\\\")
            preds.append(
                f"{pid}\t{created.isoformat()}\t{version}\t{features}\t{scores[i]}\t{scores[i] >= 0.2}\t0.2\t1.0\n"
            )
            if i % 2 == 0:
                labels.append(f"{pid}\t{bool(batch.labels[i])}\t{(created + timedelta(seconds=30)).isoformat()}\n")
        _copy(
            engine,
            "predictions",
            "id, created_at, model_version, features, probability, is_fraud, threshold, latency_ms",
            preds,
        )
        _copy(engine, "ground_truth", "prediction_id, label, received_at", labels)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE predictions; ANALYZE ground_truth")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--model-dir", type=Path, default=Path(__file__).resolve().parents[1] / "backend" / "artifacts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    version = artifacts.resolve(args.model_dir).folder.name
    with tempfile.TemporaryDirectory() as tmp, temporary_database(Path(tmp)) as url:
        if not url.startswith("postgresql"):
            raise SystemExit("bench_worker needs PostgreSQL (set TEST_DATABASE_URL)")
        engine = make_engine(url)
        init_schema(engine)
        for n in args.sizes:
            clear_tables(engine)
            with engine.begin() as conn:
                conn.execute(
                    insert(ModelVersion).values(
                        version=version, trained_at=datetime.now(UTC), threshold=0.2, metrics={}, feature_schema=[]
                    )
                )
            now = datetime.now(UTC)
            started = time.perf_counter()
            fill(engine, version, n, now)
            filled = time.perf_counter() - started
            monitor = Monitor(WorkerSettings(database_url=url, model_dir=args.model_dir), engine)
            monitor.reference()  # loading the reference is start-up work, not cycle work
            started = time.perf_counter()
            result = monitor.run_cycle(now + timedelta(seconds=1))
            cycle = time.perf_counter() - started
            print(
                f"{n:>9,} rows: cycle {cycle:6.2f} s ({result.status}, {result.n_rows:,} in window, "
                f"{result.realized['n_rows']:,} labelled; fill {filled:.1f} s)",
                flush=True,
            )
        engine.dispose()


if __name__ == "__main__":
    main()
