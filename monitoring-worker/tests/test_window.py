"""Reading the window: the COPY fast path and the portable path agree; the label window stops at a traffic switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from driftwatch_core.db.models import ModelEvent
from driftwatch_core.features import FEATURES, SCORE_NAME
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import DEMO_MODEL
from worker.window import LabelWindow, Scope, label_window, load_labelled, load_window

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def fraud(version: str) -> Scope:
    return Scope(DEMO_MODEL, version, {f.name: f.kind for f in FEATURES}, SCORE_NAME)


def test_copy_and_row_paths_read_the_same_window(store, clean_db):
    batch = TransactionGenerator(seed=31).sample(300)
    store(batch, NOW, 100)
    store(TransactionGenerator(seed=32).sample(50), NOW - timedelta(minutes=10), 60)  # outside
    with clean_db.connect() as conn:
        fast = load_window(conn, fraud(store.version), NOW - timedelta(minutes=5), NOW)
        slow = load_window(conn, fraud(store.version), NOW - timedelta(minutes=5), NOW, copy=False)
    assert fast.n_rows == slow.n_rows == 300
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_dtype=False)
    assert list(fast.frame.columns) == [f.name for f in FEATURES]
    assert list(fast.scores) == list(slow.scores) and list(fast.decisions) == list(slow.decisions)
    cols = fast.columns()
    for f in FEATURES:
        expected = list(batch.columns[f.name])
        got = list(cols[f.name])
        if f.kind == "numeric":
            assert got == [round(float(v), 2) for v in expected]
        else:
            assert [str(v) for v in got] == [str(v) for v in expected], f.name
    assert cols[SCORE_NAME].min() >= 0 and fast.decisions.dtype == bool


def test_labelled_predictions_carry_lag_and_coverage(store, clean_db):
    store(TransactionGenerator(seed=33).sample(200), NOW, 100, label_share=0.25, lag_s=42)
    with clean_db.connect() as conn:
        labelled = load_labelled(conn, fraud(store.version), NOW - timedelta(minutes=30), NOW)
    assert labelled.n_predictions == 200 and len(labelled.labels) == 50
    assert set(labelled.lags_s) == {42.0}


def test_a_window_above_max_rows_is_sampled_but_counted_in_full(store, clean_db):
    store(TransactionGenerator(seed=34).sample(4_000), NOW, 200, label_share=0.5)
    with clean_db.connect() as conn:
        window = load_window(conn, fraud(store.version), NOW - timedelta(minutes=5), NOW, max_rows=1_000)
        labelled = load_labelled(conn, fraud(store.version), NOW - timedelta(minutes=30), NOW, max_rows=1_000)
    assert window.n_rows == 4_000
    assert 800 < len(window.frame) < 1_200  # about max_rows, drawn at random
    assert 350 < len(labelled.labels) < 650 and labelled.n_predictions == 1_000
    assert 0.4 < len(labelled.labels) / labelled.n_predictions < 0.6  # coverage stays right


def test_any_schema_reads_alike_on_both_paths(clean_db, store_rows):
    """Names with spaces, one as long as allowed, one called "decision", digit-like categories."""
    from driftwatch_core.db.models import ModelVersion, RegisteredModel

    long_name = "a very long feature name " + "x" * 39
    kinds = {"mean radius": "numeric", "grade": "categorical", "smoker": "boolean", "decision": "numeric"}
    kinds[long_name] = "numeric"
    model = dict(name="demo", task="binary_classification", description="", created_at=NOW)
    version = dict(version="demo-1", model_name="demo", trained_at=NOW, threshold=0.5, metrics={}, feature_schema=[])
    with clean_db.begin() as conn:
        conn.execute(RegisteredModel.__table__.insert().values(**model))
        conn.execute(ModelVersion.__table__.insert().values(**version, registered_at=NOW))
    records = [
        {"mean radius": 10.5 + i, "grade": ["01", "1", "A"][i % 3], "smoker": i % 2 == 0, "decision": i, long_name: -i}
        for i in range(30)
    ]
    records[3]["grade"] = None
    store_rows("demo", "demo-1", records, [i / 30 for i in range(30)], 0.5, NOW, 60)
    scope = Scope("demo", "demo-1", kinds, "score")
    with clean_db.connect() as conn:
        fast = load_window(conn, scope, NOW - timedelta(minutes=5), NOW)
        slow = load_window(conn, scope, NOW - timedelta(minutes=5), NOW, copy=False)
        other = load_window(conn, fraud("demo-1"), NOW - timedelta(minutes=5), NOW)  # another model's rows
    assert fast.n_rows == slow.n_rows == 30 and other.n_rows == 0
    for window in (fast, slow):
        cols = window.columns()
        assert list(cols) == [*kinds, "score"]
        assert list(cols["grade"]) == [r["grade"] for r in records if r["grade"] is not None]  # "01" stays "01"
        assert [bool(v) for v in cols["smoker"]] == [r["smoker"] for r in records]
        assert list(cols["decision"]) == list(range(30)) and list(cols[long_name]) == [-i for i in range(30)]
        assert list(window.decisions) == [i / 30 >= 0.5 for i in range(30)]


@pytest.fixture(params=["postgresql", "sqlite"])
def any_db(request, tmp_path):
    """An empty migrated database of each kind the worker supports."""
    from driftwatch_core.db.engine import make_engine
    from driftwatch_core.db.schema import init_schema
    from driftwatch_testing import empty_database

    with empty_database(request.param, tmp_path / "db") as url:
        engine = make_engine(url)
        init_schema(engine)
        yield engine
        engine.dispose()


def test_a_versions_rows_include_its_shadow_rows_labelled_by_the_answered_row(any_db, staged_model, write_pairs):
    """v2 shadows v1 on 40 requests and answers 20 itself (a canary): its window holds all 60 of its
    rows, and each shadow row takes the label of the prediction it shadows."""
    staged_model(any_db, "m", {"v1": np.linspace(0, 1, 100), "v2": np.linspace(0, 1, 100)}, "v1", "v2")
    n = 60
    champion, challenger = np.arange(n) / 100, 0.2 + np.arange(n) / 100
    canary = [i >= 40 for i in range(n)]
    labels = [None if i % 5 == 0 else i % 2 == 0 for i in range(n)]  # labels name the answered rows only
    write_pairs(any_db, "m", "v1", "v2", champion, challenger, NOW, 100, labels=labels, challenger_answers=canary)
    scope = Scope("m", "v2", {"x": "numeric"}, "score")
    with any_db.connect() as conn:
        window = load_window(conn, scope, NOW - timedelta(minutes=5), NOW)
        labelled = load_labelled(conn, scope, NOW - timedelta(minutes=30), NOW)
        champion_labelled = load_labelled(
            conn, Scope("m", "v1", {"x": "numeric"}, "score"), NOW - timedelta(minutes=30), NOW
        )
    assert window.n_rows == n and sorted(window.scores) == pytest.approx(sorted(challenger))
    expected = {round(float(challenger[i]), 6): y for i, y in enumerate(labels) if y is not None}
    assert len(labelled.labels) == len(expected) == 48 and labelled.n_predictions == n
    assert {round(float(p), 6): bool(y) for p, y in zip(labelled.scores, labelled.labels, strict=True)} == expected
    assert set(labelled.lags_s) == {60.0}  # the shadow row's created_at is the answered row's
    assert len(champion_labelled.labels) == 48  # the champion's shadow rows of the canary's answers too


def _switch(engine, at: datetime, model: str = DEMO_MODEL) -> None:
    """A traffic switch as the backend records it: a ``scenario`` event."""
    with engine.begin() as conn:
        conn.execute(
            insert(ModelEvent).values(
                created_at=at, model_name=model, kind="scenario", actor="admin:test", message="Traffic: Concept drift"
            )
        )


def test_the_label_window_starts_at_the_newest_traffic_switch_within_it(clean_db):
    with clean_db.connect() as conn:
        assert label_window(conn, DEMO_MODEL, NOW, 30) == LabelWindow(NOW - timedelta(minutes=30), "label_window", None)
    _switch(clean_db, NOW - timedelta(minutes=45))  # before the window: changes nothing
    with clean_db.connect() as conn:
        window = label_window(conn, DEMO_MODEL, NOW, 30)
    assert (window.start, window.reason) == (NOW - timedelta(minutes=30), "label_window")
    assert window.switched_at == NOW - timedelta(minutes=45)
    _switch(clean_db, NOW - timedelta(minutes=12))
    _switch(clean_db, NOW - timedelta(minutes=2), model="cancer")  # another model's traffic: not this one's
    _switch(clean_db, NOW + timedelta(minutes=1))  # after the cycle's moment: not yet
    with clean_db.connect() as conn:
        window = label_window(conn, DEMO_MODEL, NOW, 30)
        cancer = label_window(conn, "cancer", NOW, 30)
    assert window == LabelWindow(NOW - timedelta(minutes=12), "since_switch", NOW - timedelta(minutes=12))
    assert cancer == LabelWindow(NOW - timedelta(minutes=2), "since_switch", NOW - timedelta(minutes=2))


def test_labels_of_predictions_before_the_switch_are_left_out(store, clean_db):
    store(TransactionGenerator(seed=35).sample(400), NOW - timedelta(minutes=3), 600, label_share=1.0)
    store(TransactionGenerator(seed=36).sample(90), NOW, 179.9, label_share=1.0)
    _switch(clean_db, NOW - timedelta(minutes=3))
    with clean_db.connect() as conn:
        window = label_window(conn, DEMO_MODEL, NOW, 30)
        labelled = load_labelled(conn, fraud(store.version), window.start, NOW)
    assert len(labelled.labels) == 90 and labelled.n_predictions == 90
