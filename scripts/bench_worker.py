#!/usr/bin/env python
"""Time monitoring cycles: the demo model (fraud) over windows of 10k, 100k and 1M predictions,
and ten registered models with 10,000 predictions each, judged in one cycle.

Fills a throw-away PostgreSQL database (created next to TEST_DATABASE_URL,
dropped afterwards) with predictions through COPY, half of them labelled, then
runs the worker's cycle over a window that holds them all and prints the time.

- Fraud cases (``SIZES``): generated transactions over the 5-minute window, scored
  at random as if by the demo model, with their slot summaries as ``--writers`` backend
  processes write them (``driftwatch_core.summaries``); ``--raw`` leaves the
  summaries out, so the worker reads every row as before them. The demo version is
  registered as the tests register it (``driftwatch_testing.insert_demo``: trained once
  and cached under .cache/), and its reference is loaded before the clock starts. Two cycles
  are timed: the first of a new worker (every label of the window read), and the
  steady one 30 s later, after 30 s more labels arrived (only those are read).
- Registered models (``--models N``, ``--rows-per-model R``): N models of 30
  features each (24 numeric, 4 categorical, 2 boolean; three of the models with
  two features shifted), each with its own version, schema and reference
  (``driftwatch_core.reference.build_reference``, as the registry computes it)
  stored in ``model_versions`` and promoted to champion. The first cycle includes checking and preparing
  the N references; the second (the next slot) finds them cached.

Usage::

    .venv/bin/python scripts/bench_worker.py                    # everything below
    .venv/bin/python scripts/bench_worker.py 10000 100000 1000000
    .venv/bin/python scripts/bench_worker.py --raw 10000 100000 1000000   # rows only
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from driftwatch_core import stages
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.db.schema import init_schema
from driftwatch_core.features import FEATURES, Feature
from driftwatch_core.generator import TransactionGenerator
from driftwatch_core.reference import build_reference
from driftwatch_core.summaries import Pending, SlotSummarizer
from driftwatch_testing import DEMO_MODEL, clear_tables, insert_demo, temporary_database
from worker.config import WorkerSettings
from worker.cycle import CycleReport, CycleResult, Monitor

CHUNK = 50_000
SIZES = [10_000, 100_000, 1_000_000]
WRITERS = 4  # backend processes whose slot summaries the fraud window is filled with
SUMMARY_BATCH = 500  # rows per writer batch (the backend writer's default batch size)
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


def _register(engine, name: str, version: str, schema: list[dict], reference: dict) -> None:
    """A model with one version, its champion (a registration without its artifact: the worker needs none)."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        session.add(RegisteredModel(name=name, task="binary_classification", description="bench", created_at=now))
        session.flush()
        session.add(
            ModelVersion(
                version=version,
                model_name=name,
                trained_at=now,
                registered_at=now,
                threshold=0.5,
                metrics={},
                feature_schema=schema,
                reference=reference,
            )
        )
        session.flush()
        stages.promote(session, name, version, actor="bench_worker", reason="registered")


def _store(engine, model: str, version: str, features: list[str], scores, labels, now, seed, threshold=0.5) -> None:
    """Predictions (``features``: one JSON document per row) over the last 4 minutes, every
    other one labelled."""
    rng = np.random.default_rng(seed)
    ages = rng.uniform(1, 240, len(features))
    preds, truth = [], []
    for i, doc in enumerate(features):
        pid, created = uuid.uuid4(), now - timedelta(seconds=float(ages[i]))
        preds.append(_prediction_line(pid, created, model, version, doc, scores[i], threshold))
        if i % 2 == 0:
            truth.append(f"{pid}\t{bool(labels[i])}\t{(created + timedelta(seconds=30)).isoformat()}\n")
    _copy(engine, "predictions", PREDICTION_COLUMNS, preds)
    _copy(engine, "ground_truth", "prediction_id, label, received_at", truth)


PREDICTION_COLUMNS = "id, created_at, model_name, model_version, features, probability, is_fraud, threshold, latency_ms"


def _prediction_line(pid, created: datetime, model: str, version: str, doc: str, score, threshold: float) -> str:
    return (
        f"{pid}\t{created.isoformat()}\t{model}\t{version}\t{doc.replace(chr(92), chr(92) * 2)}"
        f"\t{score}\t{score >= threshold}\t{threshold}\t1.0\n"
    )


def _uuid7(at: datetime, rng: np.random.Generator) -> uuid.UUID:
    """A UUIDv7 of ``at`` (time-ordered, as the backend makes prediction ids)."""
    stamp = int(at.timestamp() * 1000) << 80 | (0x7 << 76) | (0b10 << 62)
    return uuid.UUID(int=stamp | int(rng.integers(0, 1 << 12)) << 64 | int(rng.integers(0, 1 << 62)))


def _analyze(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE predictions; ANALYZE ground_truth; ANALYZE model_versions")


# --- the fraud model ---------------------------------------------------------


@dataclass
class Filled:
    """A filled fraud window: the labels that arrive between the two cycles, the fill's time."""

    late_labels: list[str]
    seconds: float
    summaries_bytes: int = 0


def fill_fraud(engine, version: str, n: int, now: datetime, writers: int) -> Filled:
    """``n`` generated transactions over the 5 minutes before ``now`` for the demo model's
    ``version`` (registered), scored at random like the model, every other one labelled 30 s
    after it was made. With ``writers``: their slot summaries too, as that many backend
    processes write them (rows dealt in time order, ``SUMMARY_BATCH`` at a time; only each
    slot's final state is upserted, which is what the database holds once the writers are done)."""
    started = time.perf_counter()
    gen, rng = TransactionGenerator(seed=n), np.random.default_rng(n)
    created = [now - timedelta(seconds=float(age)) for age in np.sort(rng.uniform(1, 295, n))[::-1]]  # oldest first
    first_cycle = now + timedelta(seconds=1)
    kinds = {f.name: f.kind for f in FEATURES}
    summarizers = [SlotSummarizer(f"bench-{w}", lambda _m, _v: kinds) for w in range(writers)]
    final: dict[tuple, dict] = {}
    late: list[str] = []
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        batch = gen.sample(size)
        records = batch.records()
        scores = rng.beta(0.6, 12.0, size)
        preds, truth, rows = [], [], []
        for i, record in enumerate(records):
            at = created[start + i]
            pid = _uuid7(at, rng)
            preds.append(_prediction_line(pid, at, DEMO_MODEL, version, json.dumps(record), scores[i], 0.2))
            if i % 2 == 0:
                received = at + timedelta(seconds=30)
                (truth if received <= first_cycle else late).append(
                    f"{pid}\t{bool(batch.labels[i])}\t{received.isoformat()}\n"
                )
            if writers:
                rows.append(
                    dict(
                        id=pid,
                        created_at=at,
                        model_name=DEMO_MODEL,
                        model_version=version,
                        features=record,
                        probability=float(scores[i]),
                        is_fraud=bool(scores[i] >= 0.2),
                        shadow_of=None,
                    )
                )
        _copy(engine, "predictions", PREDICTION_COLUMNS, preds)
        _copy(engine, "ground_truth", "prediction_id, label, received_at", truth)
        for w, summarizer in enumerate(summarizers):
            mine = rows[w::writers]
            for i in range(0, len(mine), SUMMARY_BATCH):
                pending = summarizer.prepare(mine[i : i + SUMMARY_BATCH])
                summarizer.commit(pending)
                final.update({(r["model_version"], r["slot_start"], r["writer_id"]): r for r in pending.rows})
    if final:
        with engine.begin() as conn:
            summarizers[0].write(conn, Pending(list(final.values()), []))
    _analyze(engine)
    return Filled(late, time.perf_counter() - started, sum(len(r["summary"]) for r in final.values()))


def _cycle(monitor: Monitor, at: datetime) -> tuple[float, CycleResult]:
    started = time.perf_counter()
    result = monitor.run_cycle(at)[DEMO_MODEL]
    elapsed = time.perf_counter() - started
    assert result is not None and result.realized is not None and result.status == "ok", result
    return elapsed, result


def bench_fraud(url: str, engine, sizes: list[int], writers: int) -> None:
    """Per size: the first cycle (a new worker: every label of the window read) and the next one,
    30 s later, after 30 s more labels arrived (the steady state: only new labels read)."""
    path = f"summaries of {writers} writers" if writers else "rows only (--raw)"
    for n in sizes:
        clear_tables(engine)
        version = insert_demo(engine)
        now = datetime.now(UTC)
        filled = fill_fraud(engine, version, n, now, writers)
        monitor = Monitor(WorkerSettings(database_url=url), engine)
        with engine.connect() as conn:
            monitor.targets.plan(conn)
        monitor.targets.get(engine, DEMO_MODEL, version)  # loading the reference is start-up work
        first, _ = _cycle(monitor, now + timedelta(seconds=1))
        _copy(engine, "ground_truth", "prediction_id, label, received_at", filled.late_labels)
        steady, later = _cycle(monitor, now + timedelta(seconds=31))
        size = f", summaries {filled.summaries_bytes / 1e6:.1f} MB" if writers else ""
        print(
            f"fraud {n:>9,} rows ({path}): cycle {steady:6.2f} s steady, {first:6.2f} s first "
            f"({later.n_rows:,} in window, {later.realized['n_rows']:,} labelled; fill {filled.seconds:.1f} s{size})",
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
    clear_tables(engine)  # only these models: no demo model
    now = datetime.now(UTC)
    started = time.perf_counter()
    fill_models(engine, models, rows, now)
    filled = time.perf_counter() - started
    monitor = Monitor(WorkerSettings(database_url=url), engine)
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
    parser.add_argument(
        "--raw", action="store_true", help="fraud windows without slot summaries: the worker reads every row"
    )
    parser.add_argument("--writers", type=int, default=WRITERS, help="writer processes the summaries come from")
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
                bench_fraud(url, engine, sizes, 0 if args.raw else args.writers)
            if models:
                bench_models(url, engine, models, args.rows_per_model)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
