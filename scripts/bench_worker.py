#!/usr/bin/env python
"""Time monitoring cycles: the fraud model over windows of 10k, 100k and 1M predictions,
and ten registered models with 10,000 predictions each, judged in one cycle.

Fills a throw-away PostgreSQL database (created next to TEST_DATABASE_URL,
dropped afterwards) with predictions through COPY, half of them labelled, then
runs the worker's cycle over a window that holds them all and prints the time.

- Fraud cases (``SIZES``): generated transactions scored as the built-in model;
  its reference comes from ``--model-dir`` and is loaded before the clock starts.
- Registered models (``--models N``, ``--rows-per-model R``): N models of 30
  features each (24 numeric, 4 categorical, 2 boolean; three of the models with
  two features shifted), each with its own version, schema and reference
  (``driftwatch_core.reference.build_reference``, as the registry computes it)
  stored in ``model_versions``. The first cycle includes checking and preparing
  the N references; the second (the next slot) finds them cached.

Usage::

    .venv/bin/python scripts/bench_worker.py                    # everything below
    .venv/bin/python scripts/bench_worker.py 10000 100000 1000000
    .venv/bin/python scripts/bench_worker.py --models 10 --rows-per-model 10000
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, update

from driftwatch_core import artifacts
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import DEFAULT_MODEL, ModelVersion, RegisteredModel
from driftwatch_core.db.schema import init_schema
from driftwatch_core.features import Feature, schema_as_dicts
from driftwatch_core.generator import TransactionGenerator
from driftwatch_core.reference import build_reference
from driftwatch_testing import clear_tables, temporary_database
from worker.config import WorkerSettings
from worker.cycle import CycleReport, Monitor

CHUNK = 50_000
SIZES = [10_000, 100_000, 1_000_000]
N_NUMERIC, N_CATEGORICAL, N_BOOLEAN = 24, 4, 2
CATEGORIES = ("a", "b", "c", "d", "e")
SHIFTED_MODELS = 3  # the first three registered models get two shifted features


def _copy(engine, table: str, columns: str, lines: Iterable[str]) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("".join(lines)))
        raw.commit()
    finally:
        raw.close()


def _register(engine, name: str, version: str, schema: list[dict], reference: dict | None) -> None:
    with engine.begin() as conn:
        if name != DEFAULT_MODEL:  # clear_tables keeps the built-in model's row
            conn.execute(
                insert(RegisteredModel).values(
                    name=name, task="binary_classification", description="bench", created_at=datetime.now(UTC)
                )
            )
        conn.execute(
            insert(ModelVersion).values(
                version=version,
                model_name=name,
                trained_at=datetime.now(UTC),
                threshold=0.5 if reference else 0.2,
                metrics={},
                feature_schema=schema,
                reference=reference,
            )
        )


def _store(engine, model: str, version: str, features: list[str], scores, labels, now, seed, threshold=0.5) -> None:
    """Predictions (``features``: one JSON document per row) over the last 4 minutes, every
    other one labelled."""
    rng = np.random.default_rng(seed)
    ages = rng.uniform(1, 240, len(features))
    preds, truth = [], []
    for i, doc in enumerate(features):
        pid, created = uuid.uuid4(), now - timedelta(seconds=float(ages[i]))
        preds.append(
            f"{pid}\t{created.isoformat()}\t{model}\t{version}\t{doc.replace(chr(92), chr(92) * 2)}"
            f"\t{scores[i]}\t{scores[i] >= threshold}\t{threshold}\t1.0\n"
        )
        if i % 2 == 0:
            truth.append(f"{pid}\t{bool(labels[i])}\t{(created + timedelta(seconds=30)).isoformat()}\n")
    columns = "id, created_at, model_name, model_version, features, probability, is_fraud, threshold, latency_ms"
    _copy(engine, "predictions", columns, preds)
    _copy(engine, "ground_truth", "prediction_id, label, received_at", truth)


def _analyze(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE predictions; ANALYZE ground_truth; ANALYZE model_versions")


# --- the fraud model ---------------------------------------------------------


def fill_fraud(engine, version: str, n: int, now: datetime) -> None:
    """``n`` generated transactions, scored at random like the model, every other one labelled."""
    _register(engine, DEFAULT_MODEL, version, schema_as_dicts(), None)  # no reference: MODEL_DIR's
    gen, rng = TransactionGenerator(seed=n), np.random.default_rng(n)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        batch = gen.sample(size)
        docs = [json.dumps(record) for record in batch.records()]
        scores = rng.beta(0.6, 12.0, size)
        _store(engine, DEFAULT_MODEL, version, docs, scores, batch.labels, now, seed=n + start, threshold=0.2)
    _analyze(engine)


def bench_fraud(url: str, engine, model_dir: Path, sizes: list[int]) -> None:
    version = artifacts.resolve(model_dir).folder.name
    for n in sizes:
        clear_tables(engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        fill_fraud(engine, version, n, now)
        filled = time.perf_counter() - started
        monitor = Monitor(WorkerSettings(database_url=url, model_dir=model_dir), engine)
        with engine.connect() as conn:
            monitor.targets.plan(conn)
        monitor.targets.get(engine, DEFAULT_MODEL, version)  # loading the reference is start-up work
        started = time.perf_counter()
        result = monitor.run_cycle(now + timedelta(seconds=1))[DEFAULT_MODEL]
        cycle = time.perf_counter() - started
        assert result is not None and result.realized is not None, result
        print(
            f"fraud {n:>9,} rows: cycle {cycle:6.2f} s ({result.status}, {result.n_rows:,} in window, "
            f"{result.realized['n_rows']:,} labelled; fill {filled:.1f} s)",
            flush=True,
        )


# --- registered models ---------------------------------------------------------


def _schema() -> list[Feature]:
    numeric = [Feature(f"x{j}", "numeric", "", 0.0) for j in range(N_NUMERIC)]
    categorical = [Feature(f"c{j}", "categorical", "", "a", "str", categories=CATEGORIES) for j in range(N_CATEGORICAL)]
    boolean = [Feature(f"b{j}", "boolean", "", False, "bool") for j in range(N_BOOLEAN)]
    return [*numeric, *categorical, *boolean]


def _sample(
    i: int, n: int, rng: np.random.Generator, shift: bool = False
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Model ``i``'s rows: columns, scores and labels (two numeric features shifted when ``shift``)."""
    frame = pd.DataFrame(rng.normal(i, 1 + 0.1 * i, (n, N_NUMERIC)), columns=[f"x{j}" for j in range(N_NUMERIC)])
    for j in range(N_CATEGORICAL):
        frame[f"c{j}"] = rng.choice(CATEGORIES, n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    for j in range(N_BOOLEAN):
        frame[f"b{j}"] = rng.random(n) < 0.3
    scores = 1 / (1 + np.exp(-(frame["x0"].to_numpy() - i)))
    labels = rng.random(n) < scores
    if shift:
        frame["x1"] *= 1.5
        frame["x2"] += 2.0
    return frame, scores, labels


def fill_models(engine, models: int, rows: int, now: datetime) -> None:
    schema = _schema()
    for i in range(models):
        rng = np.random.default_rng(i)
        ref, ref_scores, _ = _sample(i, 5_000, rng)
        columns = {c: ref[c].to_numpy() for c in ref.columns}
        reference = build_reference(columns, ref_scores, seed=i, schema=schema, score_name="score")
        name, version = f"bench-{i:02d}", f"bench-{i:02d}-v1"
        _register(engine, name, version, [f.to_dict() for f in schema], reference)
        live, scores, labels = _sample(i, rows, rng, shift=i < SHIFTED_MODELS)
        docs = live.to_json(orient="records", lines=True).splitlines()
        _store(engine, name, version, docs, scores, labels, now, seed=1_000 + i)
    _analyze(engine)


def _summary(report: CycleReport) -> str:
    done = [r for r in report.results.values() if r is not None]
    drifted = sum(1 for r in done if r.dataset is not None and any(f.drifted for f in r.drift))
    statuses = sorted({r.status for r in done})
    return f"{len(done)} models {'/'.join(statuses)}, {sum(r.n_rows for r in done):,} rows, {drifted} with drift"


def bench_models(url: str, engine, models: int, rows: int) -> None:
    clear_tables(engine)
    with engine.begin() as conn:  # only the registered models: the built-in one has no version here
        conn.execute(update(RegisteredModel).where(RegisteredModel.name == DEFAULT_MODEL).values(active=False))
    now = datetime.now(UTC)
    started = time.perf_counter()
    fill_models(engine, models, rows, now)
    filled = time.perf_counter() - started
    monitor = Monitor(WorkerSettings(database_url=url, model_dir=Path(tempfile.gettempdir())), engine)
    for label, at in (("first cycle (references prepared)", 1), ("next cycle (references cached)", 31)):
        started = time.perf_counter()
        report = monitor.run_cycle(now + timedelta(seconds=at))
        cycle = time.perf_counter() - started
        assert report.ok and len(report.results) == models, report.failed
        print(
            f"{models} registered models x {rows:,} rows, {label}: {cycle:6.2f} s ({_summary(report)}; "
            f"fill {filled:.1f} s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, help=f"fraud window sizes (default {SIZES})")
    parser.add_argument("--models", type=int, default=0, help="registered models judged in one cycle (default 10)")
    parser.add_argument("--rows-per-model", type=int, default=10_000)
    parser.add_argument("--model-dir", type=Path, default=Path(__file__).resolve().parents[1] / "backend" / "artifacts")
    args = parser.parse_args()
    sizes, models = args.sizes, args.models
    if not sizes and not models:
        sizes, models = SIZES, 10
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, temporary_database(Path(tmp)) as url:
        if not url.startswith("postgresql"):
            raise SystemExit("bench_worker needs PostgreSQL (set TEST_DATABASE_URL)")
        engine = make_engine(url)
        init_schema(engine)
        try:
            if sizes:
                bench_fraud(url, engine, args.model_dir, sizes)
            if models:
                bench_models(url, engine, models, args.rows_per_model)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
