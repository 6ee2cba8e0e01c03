"""Slot summaries (driftwatch_core.summaries): what a batch adds, bytes round trip, merge,
eviction, rollback of an uncommitted batch, and the upsert on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import PredictionSummary
from driftwatch_core.db.schema import init_schema
from driftwatch_core.summaries import (
    KEEP_SECONDS,
    RESERVOIR_SIZE,
    SCORE,
    SlotState,
    SlotSummarizer,
    infer_kinds,
    merge,
    slot_start,
)

T0 = datetime(2026, 12, 2, 4, 0, 0, tzinfo=UTC)
KINDS = {"x": "numeric", "c": "categorical", "b": "boolean"}


def rows(n: int, at: datetime = T0, model: str = "m", version: str = "v1", seed: int = 0, step_s: float = 0.001):
    rng = np.random.default_rng(seed)
    return [
        dict(
            id=uuid.uuid4(),
            created_at=at + timedelta(seconds=i * step_s),
            model_name=model,
            model_version=version,
            features={
                "x": None if i % 10 == 0 else float(rng.normal()),
                "c": ["Grocery", "travel", None][i % 3],
                "b": [True, False, None, True][i % 4],
            },
            probability=float(rng.random()),
            is_fraud=bool(i % 5 == 0),
            threshold=0.5,
            latency_ms=1.0,
            shadow_of=uuid.uuid4() if i % 7 == 0 else None,
        )
        for i in range(n)
    ]


def summarize(batches, kinds=KINDS, writer="w1") -> SlotSummarizer:
    summarizer = SlotSummarizer(writer, lambda model, version: kinds)
    for batch in batches:
        summarizer.commit(summarizer.prepare(batch))
    return summarizer


def test_a_slot_counts_rows_nulls_categories_and_keeps_all_rows_when_few():
    batch = rows(300)
    state = summarize([batch[:100], batch[100:]]).states[("m", "v1", T0)]
    assert (state.n, state.n_fraud, state.n_shadow) == (300, 60, 43)
    assert state.nulls == {"x": 30, "c": 100, "b": 75}
    assert state.counts["c"] == {"grocery": 100, "travel": 100}
    assert state.counts["b"] == {"true": 150, "false": 75}
    assert state.sketches["x"].n == 270 and state.sketches[SCORE].n == 300
    reservoir = state.reservoir
    assert reservoir is not None and reservoir.complete and reservoir.size == 300
    xs = [r["features"]["x"] for r in batch]
    assert sorted(np.nan_to_num(reservoir.values("x"), nan=-99).tolist()) == sorted(-99 if x is None else x for x in xs)
    assert sorted(reservoir.values(SCORE).tolist()) == sorted(r["probability"] for r in batch)
    assert list(reservoir.values("c")).count(None) == 100 and list(reservoir.values("b")).count(None) == 75


def test_bytes_round_trip_and_merge():
    summarizer = summarize([rows(3000, seed=1)])
    state = summarizer.states[("m", "v1", T0)]
    again = SlotState.from_bytes(state.to_bytes())
    assert (again.n, again.n_fraud, again.nulls, again.counts) == (state.n, state.n_fraud, state.nulls, state.counts)
    points = np.array([-1.0, 0.0, 1.0])
    assert again.sketches["x"].get_cdf(points, False) == state.sketches["x"].get_cdf(points, False)
    assert again.reservoir is not None and not again.reservoir.complete and again.reservoir.size == RESERVOIR_SIZE
    assert set(again.reservoir.columns) == {SCORE, "decision"}  # a sample's features are dropped
    for name in (SCORE, "decision"):
        assert again.reservoir.values(name).tolist() == pytest.approx(
            state.reservoir.values(name).tolist(), nan_ok=True
        )
    both = merge([again, again])
    assert both.n == 6000 and both.counts["c"] == {k: 2 * v for k, v in state.counts["c"].items()}
    assert both.sketches["x"].n == 2 * state.sketches["x"].n and both.nulls["x"] == 600
    with pytest.raises(ValueError, match="magic"):
        SlotState.from_bytes(b"\x80\x04pickle")


def test_reservoir_is_uniform_over_the_slot():
    summarizer = summarize([rows(500, seed=s, step_s=0.0) for s in range(40)])  # 20,000 rows in one slot
    reservoir = summarizer.states[("m", "v1", T0)].reservoir
    assert reservoir is not None and reservoir.seen == 20_000 and reservoir.size == RESERVOIR_SIZE
    # each batch's rows hold 1/40 of the slot: the kept scores' mean is the slot's within noise
    assert abs(np.mean(reservoir.values(SCORE)) - 0.5) < 0.05


def test_slots_and_eviction():
    summarizer = summarize([rows(10, at=T0), rows(10, at=T0 + timedelta(seconds=25))])
    assert sorted(k[2] for k in summarizer.states) == [T0, T0 + timedelta(seconds=20)]
    assert slot_start(T0 + timedelta(seconds=19.9)) == T0 + timedelta(seconds=10)
    later = T0 + timedelta(seconds=KEEP_SECONDS + 20)
    summarizer.commit(summarizer.prepare(rows(10, at=later)))
    assert sorted(k[2] for k in summarizer.states) == [T0 + timedelta(seconds=20), later]
    pending = summarizer.prepare(rows(5, at=T0))  # too old to be judged: not summarized
    assert pending.rows == []


def test_an_uncommitted_batch_is_undone_by_the_next_prepare():
    summarizer = summarize([rows(100)])
    summarizer.prepare(rows(50, seed=9))  # its transaction failed: never committed
    pending = summarizer.prepare(rows(20, seed=3))
    assert pending.rows[0]["n_rows"] == 120
    summarizer.commit(pending)
    assert summarizer.states[("m", "v1", T0)].n == 120


def test_a_batch_that_fails_to_summarize_changes_nothing():
    summarizer = summarize([rows(100)])
    broken = rows(10, seed=5)
    del broken[-1]["probability"]
    with pytest.raises(KeyError):
        summarizer.prepare(broken)
    pending = summarizer.prepare(rows(1, seed=6))
    assert pending.rows[0]["n_rows"] == 101


def test_kinds_are_inferred_without_a_schema():
    assert infer_kinds([{"a": None, "b": True}, {"a": 3, "c": "x", "d": 2.5}]) == {
        "b": "boolean",
        "a": "numeric",
        "c": "categorical",
        "d": "numeric",
    }
    summarizer = SlotSummarizer("w1", lambda model, version: None)
    summarizer.commit(summarizer.prepare(rows(20)))
    assert summarizer.states[("m", "v1", T0)].kinds == {"x": "numeric", "c": "categorical", "b": "boolean"}


def test_writer_id_is_checked():
    with pytest.raises(ValueError, match="writer_id"):
        SlotSummarizer("", lambda m, v: KINDS)


@pytest.fixture(params=["postgresql", "sqlite"])
def any_engine(request, clean_db, tmp_path):
    if request.param == "postgresql":
        if clean_db.dialect.name != "postgresql":
            pytest.skip("no PostgreSQL answers: set TEST_DATABASE_URL")
        yield clean_db
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'summaries.db'}")
    init_schema(engine)
    yield engine
    engine.dispose()


def test_upsert_writes_each_writers_cumulative_slot(any_engine):
    one, two = SlotSummarizer("w1", lambda m, v: KINDS), SlotSummarizer("w2", lambda m, v: KINDS)
    for summarizer, batch in ((one, rows(100)), (two, rows(30)), (one, rows(50, seed=2))):
        pending = summarizer.prepare(batch)
        with any_engine.begin() as conn:
            summarizer.write(conn, pending)
        summarizer.commit(pending)
    pending = one.prepare(rows(5, seed=4))
    with any_engine.begin() as conn:  # written twice (a retried transaction): still one row, the same state
        one.write(conn, pending)
        one.write(conn, pending)
    one.commit(pending)
    with any_engine.connect() as conn:
        stored = conn.execute(
            select(PredictionSummary.writer_id, PredictionSummary.n_rows, PredictionSummary.summary).order_by(
                PredictionSummary.writer_id
            )
        ).all()
    assert [(w, n) for w, n, _ in stored] == [("w1", 155), ("w2", 30)]
    assert SlotState.from_bytes(stored[0][2]).n == 155
