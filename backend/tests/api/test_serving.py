"""The lean serving path: adaptive batching, UUIDv7 ids, the in-memory rate limiter, COPY storage."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime

import numpy as np
import pytest
from limits import parse
from sqlalchemy import select

from app.core.ids import uuid7s
from app.core.ratelimit import Limiter
from app.services.batching import Batcher
from app.services.prediction_writer import PredictionWriter, store_rows
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import Prediction
from driftwatch_core.db.schema import init_schema
from driftwatch_testing import empty_database


class CountingModel:
    """Stands in for a ServedModel: scores a row as its ``x``, remembers each call's rows."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[int] = []
        self.fail = fail

    def score(self, rows: list[dict]) -> np.ndarray:
        self.calls.append(len(rows))
        if self.fail:
            raise RuntimeError("model exploded")
        return np.array([row["x"] for row in rows], dtype=float)


# --- adaptive batching --------------------------------------------------------------------


def test_concurrent_requests_share_one_model_call_and_each_gets_its_own_score():
    async def main():
        batcher, model = Batcher(max_rows=64), CountingModel()
        scores = await asyncio.gather(*(batcher.score(model, {"x": i / 10}) for i in range(10)))  # type: ignore[arg-type]
        return scores, model.calls, batcher.batches

    scores, calls, batches = asyncio.run(main())
    assert scores == [i / 10 for i in range(10)]
    assert calls == [10] and batches == 1


def test_a_full_batch_is_scored_at_once_and_the_rest_after():
    async def main():
        batcher, model = Batcher(max_rows=4), CountingModel()
        await asyncio.gather(*(batcher.score(model, {"x": 1.0}) for _ in range(10)))  # type: ignore[arg-type]
        return model.calls

    assert asyncio.run(main()) == [4, 4, 2]


def test_a_lone_request_is_scored_within_two_loop_turns_without_a_timer():
    """No request waits for company that does not come: alone, its batch is scored on the
    turn after it arrived (counted in loop turns, not wall-clock time)."""

    async def main():
        batcher, model = Batcher(max_rows=64, max_wait_s=60.0), CountingModel()  # a bound that never binds
        task = asyncio.ensure_future(batcher.score(model, {"x": 0.5}))  # type: ignore[arg-type]
        turns = 0
        while not task.done():
            await asyncio.sleep(0)
            turns += 1
            assert turns < 10, "a lone request is still waiting"
        return task.result(), turns, model.calls

    score, turns, calls = asyncio.run(main())
    assert score == 0.5 and calls == [1] and turns <= 3


def test_versions_are_batched_apart_and_a_failing_call_fails_only_its_own_batch():
    async def main():
        batcher, good, bad = Batcher(), CountingModel(), CountingModel(fail=True)
        return (
            await asyncio.gather(
                *(batcher.score(good, {"x": 0.1}) for _ in range(3)),  # type: ignore[arg-type]
                *(batcher.score(bad, {"x": 0.2}) for _ in range(2)),  # type: ignore[arg-type]
                return_exceptions=True,
            ),
            good.calls,
            bad.calls,
        )

    results, good_calls, bad_calls = asyncio.run(main())
    assert results[:3] == [0.1, 0.1, 0.1]
    assert all(isinstance(r, RuntimeError) and "exploded" in str(r) for r in results[3:])
    assert good_calls == [3] and bad_calls == [2]


def test_the_batch_sizes_reach_the_callback():
    sizes: list[int] = []

    async def main():
        batcher = Batcher(max_rows=3, on_batch=sizes.append)
        await asyncio.gather(*(batcher.score(CountingModel(), {"x": 0.0}) for _ in range(1)))  # type: ignore[arg-type]
        model = CountingModel()
        await asyncio.gather(*(batcher.score(model, {"x": 0.0}) for _ in range(5)))  # type: ignore[arg-type]

    asyncio.run(main())
    assert sizes == [1, 3, 2]


# --- ids ------------------------------------------------------------------------------------


def test_prediction_ids_are_uuid7_stamped_with_the_current_millisecond_and_unique():
    before = time.time_ns() // 1_000_000
    ids = uuid7s(10_000)
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    for made in ids[:100]:
        assert made.version == 7 and made.variant == uuid.RFC_4122
        assert before <= made.int >> 80 <= after
        assert uuid.UUID(str(made)) == made and hash(uuid.UUID(str(made))) == hash(made)
    later = uuid7s(1)[0]
    time.sleep(0.002)
    assert uuid7s(1)[0] > later  # time-ordered across milliseconds


# --- the rate limiter -----------------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_limiter_allows_the_limit_then_refuses_with_the_wait_until_a_slot_frees():
    clock = Clock(600.0)  # the start of a one-minute window
    limiter, limit = Limiter(clock), parse("3/minute")
    assert [limiter.hit(limit, "k") for _ in range(3)] == [None, None, None]
    wait = limiter.hit(limit, "k")
    assert wait is not None and 59 <= wait <= 60  # the next window
    assert limiter.hit(limit, "other") is None  # keys count apart
    # 30 s into the next window the previous three weigh 1.5: one more fits, not two.
    clock.now = 690.0
    assert limiter.hit(limit, "k") is None
    wait = limiter.hit(limit, "k")
    assert wait is not None and 1 <= wait <= 30
    clock.now += wait + 0.01
    assert limiter.hit(limit, "k") is None
    # Two windows later nothing is remembered, and stale keys are swept.
    clock.now = 900.0
    assert [limiter.hit(limit, "k") for _ in range(3)] == [None, None, None]
    assert all(key[2] != "other" for key in limiter._counts)
    assert limiter.hit(None, "k") is None  # "off"


# --- COPY storage ---------------------------------------------------------------------------

AWKWARD = {
    "text": 'tab\there, newline\nthere, back\\slash, "quotes", \\N, ünïcødé ✓',
    "nested": {"list": [1, 2.5, None, True], "empty": ""},
    "number": 1e-300,
}


def _row(i: int, features: dict, shadow_of: uuid.UUID | None = None) -> dict:
    return {
        "id": uuid7s(1)[0],
        "created_at": datetime(2026, 12, 2, 4, 0, i, 123456, tzinfo=UTC),
        "model_name": "fraud",
        "model_version": "v-copy",
        "features": features,
        "probability": 0.1 + i / 100,
        "is_fraud": i % 2 == 0,
        "threshold": 0.5,
        "latency_ms": 1.25,
        "shadow_of": shadow_of,
    }


@pytest.fixture
def fresh_engine(dialect, tmp_path):
    with empty_database(dialect, tmp_path) as url:
        engine = make_engine(url)
        init_schema(engine)
        from driftwatch_core.db.models import ModelVersion, RegisteredModel

        with engine.begin() as conn:
            conn.execute(RegisteredModel.__table__.insert().values(name="fraud", created_at=datetime.now(UTC)))
            conn.execute(
                ModelVersion.__table__.insert().values(
                    version="v-copy",
                    model_name="fraud",
                    trained_at=datetime.now(UTC),
                    threshold=0.5,
                    metrics={},
                    feature_schema=[],
                )
            )
        yield engine
        engine.dispose()


def test_rows_are_stored_exactly_whatever_their_json_holds(fresh_engine):
    """PostgreSQL takes them through COPY's text format, SQLite through executemany; every
    character COPY reads specially (tab, newline, backslash, \\N) comes back as sent."""
    first = _row(0, AWKWARD)
    rows = [first, _row(1, {"x": 1}, shadow_of=first["id"]), _row(2, {})]
    with fresh_engine.begin() as conn:
        store_rows(conn, rows)
    with fresh_engine.connect() as conn:
        stored = {p.id: p for p in conn.execute(select(Prediction)).all()}
    assert set(stored) == {r["id"] for r in rows}
    for row in rows:
        got = stored[row["id"]]
        assert json.dumps(got.features, sort_keys=True) == json.dumps(row["features"], sort_keys=True)
        assert got.created_at.replace(tzinfo=UTC) == row["created_at"]
        assert (got.probability, got.is_fraud, got.threshold, got.latency_ms) == (
            row["probability"],
            row["is_fraud"],
            row["threshold"],
            row["latency_ms"],
        )
        assert got.shadow_of == row["shadow_of"] and got.model_version == "v-copy"


class FlakySummaries:
    """The writer's summaries hook; its first ``write`` fails (inside the rows' transaction)."""

    def __init__(self) -> None:
        self.failures_left, self.committed, self.prepared, self.closed = 1, [], 0, False

    def prepare(self, rows):
        self.prepared += 1
        return len(rows)

    def write(self, conn, pending) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("summary upsert failed")

    def commit(self, pending) -> None:
        self.committed.append(pending)

    def close(self) -> None:
        self.closed = True


def test_a_failed_summary_write_stores_neither_the_rows_nor_the_summary_then_both_on_retry(fresh_engine):
    """The rows and their summaries share one transaction: a summary never counts a row the
    database lacks, nor misses one it holds; the rows stay queued and are retried."""
    summaries = FlakySummaries()
    writer = PredictionWriter(fresh_engine, batch_size=10, interval_s=0.01, summaries=summaries, summary_interval_s=0.0)
    writer.start()
    try:
        writer.submit([_row(i, {"i": i}) for i in range(5)])
        assert writer.wait_written(timeout_s=60)
    finally:
        writer.stop()
    with fresh_engine.connect() as conn:
        assert len(conn.execute(select(Prediction.id)).all()) == 5
    assert summaries.prepared == 2 and summaries.committed == [5]  # committed once, after the retry


def test_summaries_are_written_at_most_once_an_interval_and_cover_every_stored_row(fresh_engine):
    """Batches in between are stored at once; their rows join the next summary write (here the
    one at shutdown), so no stored row is left out of the summaries."""
    summaries = FlakySummaries()
    summaries.failures_left = 0
    writer = PredictionWriter(fresh_engine, batch_size=2, interval_s=0.01, summaries=summaries, summary_interval_s=3600)
    writer.start()
    try:
        for i in range(3):
            writer.submit([_row(2 * i, {"i": i}), _row(2 * i + 1, {"i": i})])
            assert writer.wait_written(timeout_s=60)  # three batches, three transactions
        assert summaries.committed == []
    finally:
        writer.stop()
    assert summaries.committed == [6] and summaries.closed  # a stopped writer lets go of its sketches
