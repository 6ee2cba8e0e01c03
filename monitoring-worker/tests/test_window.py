"""Reading the window: the COPY fast path and the portable path agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from driftwatch_core.features import FEATURES, SCORE_NAME
from driftwatch_core.generator import TransactionGenerator
from worker.window import load_labelled, load_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_copy_and_row_paths_read_the_same_window(store, clean_db):
    batch = TransactionGenerator(seed=31).sample(300)
    store(batch, NOW, 100)
    store(TransactionGenerator(seed=32).sample(50), NOW - timedelta(minutes=10), 60)  # outside
    with clean_db.connect() as conn:
        fast = load_window(conn, NOW - timedelta(minutes=5), NOW)
        slow = load_window(conn, NOW - timedelta(minutes=5), NOW, copy=False)
    assert fast.n_rows == slow.n_rows == 300
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_dtype=False)
    cols = fast.columns()
    for f in FEATURES:
        expected = list(batch.columns[f.name])
        got = list(cols[f.name])
        if f.kind == "numeric":
            assert got == [round(float(v), 2) for v in expected]
        else:
            assert [str(v) for v in got] == [str(v) for v in expected], f.name
    assert cols[SCORE_NAME].min() >= 0 and fast.frame["decision"].dtype == bool


def test_labelled_predictions_carry_lag_and_coverage(store, clean_db):
    store(TransactionGenerator(seed=33).sample(200), NOW, 100, label_share=0.25, lag_s=42)
    with clean_db.connect() as conn:
        labelled = load_labelled(conn, NOW - timedelta(minutes=30), NOW)
    assert labelled.n_predictions == 200 and len(labelled.labels) == 50
    assert set(labelled.lags_s) == {42.0}


def test_a_window_above_max_rows_is_sampled_but_counted_in_full(store, clean_db):
    store(TransactionGenerator(seed=34).sample(4_000), NOW, 200, label_share=0.5)
    with clean_db.connect() as conn:
        window = load_window(conn, NOW - timedelta(minutes=5), NOW, max_rows=1_000)
        labelled = load_labelled(conn, NOW - timedelta(minutes=30), NOW, max_rows=1_000)
    assert window.n_rows == 4_000
    assert 800 < len(window.frame) < 1_200  # about max_rows, drawn at random
    assert 350 < len(labelled.labels) < 650 and labelled.n_predictions == 1_000
    assert 0.4 < len(labelled.labels) / labelled.n_predictions < 0.6  # coverage stays right
