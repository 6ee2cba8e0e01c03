"""The worker's window from slot summaries (``worker.slots``) gives the verdicts the rows give,
the source of a cycle's windows is chosen by coverage and schema (``worker.sources``), and the
label cache (``worker.labels``) counts each label once.

The same generated, scored predictions are stored once as rows and summarized as the
backend's writer does (``driftwatch_core.summaries.SlotSummarizer``): by one writer (slots of
more than 1,024 rows: the sketch path) and by three (every slot kept whole: the exact path).
Per feature the drift verdict and severity, and the dataset verdict, must equal the rows';
PSI within a small tolerance, the KS statistic within the sketch's rank error (exactly equal
on the exact path).
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from datasketches import kll_doubles_sketch
from sqlalchemy import delete, insert, select

from driftwatch_core.db.models import GroundTruth, MonitoringRun, Prediction, PredictionSummary
from driftwatch_core.features import FEATURES
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_core.summaries import KLL_K, SlotSummarizer
from driftwatch_testing import DEMO_MODEL
from worker import sources
from worker.drift import dataset_drift, evaluate_all
from worker.labels import LabelCache
from worker.slots import SlotWindow
from worker.window import Scope, load_window

NOW = datetime(2026, 12, 2, 4, 0, 3, tzinfo=UTC)
KINDS = {f.name: f.kind for f in FEATURES}
SUBTLE = Drift(scale={"amount": 1.6}, shift={"hour_of_day": 2.0})
N_ROWS = 50_000


def _rows(batch, scorer, version: str, end: datetime, span_s: float) -> list[dict]:
    scores, decisions = scorer(batch.columns)
    offsets = np.linspace(span_s, 0.01, len(batch))
    return [
        dict(
            id=uuid.uuid4(),
            created_at=end - timedelta(seconds=float(offsets[i])),
            model_name=DEMO_MODEL,
            model_version=version,
            features=record,
            probability=float(scores[i]),
            is_fraud=bool(decisions[i]),
            threshold=scorer.threshold,
            latency_ms=1.0,
            shadow_of=None,
        )
        for i, record in enumerate(batch.records())
    ]


def _copy_rows(engine, rows: list[dict]) -> None:
    lines = "".join(
        f"{r['id']}\t{r['created_at'].isoformat()}\t{r['model_name']}\t{r['model_version']}\t"
        f"{json.dumps(r['features']).replace(chr(92), chr(92) * 2)}\t{r['probability']}\t{r['is_fraud']}\t"
        f"{r['threshold']}\t{r['latency_ms']}\n"
        for r in rows
    )
    columns = "id, created_at, model_name, model_version, features, probability, is_fraud, threshold, latency_ms"
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.copy_expert(f"COPY predictions ({columns}) FROM STDIN", io.StringIO(lines))
        raw.commit()
    finally:
        raw.close()


def summarize(engine, rows: list[dict], writers: int, batch: int = 500, fresh: bool = True) -> None:
    """Write the rows' summaries as ``writers`` backend processes would (rows dealt round-robin);
    ``fresh``: in place of any summaries already written."""
    if fresh:
        with engine.begin() as conn:
            conn.execute(delete(PredictionSummary))
    for w in range(writers):
        summarizer = SlotSummarizer(f"writer-{w}", lambda model, version: KINDS)
        mine = rows[w::writers]
        for i in range(0, len(mine), batch):
            pending = summarizer.prepare(mine[i : i + batch])
            with engine.begin() as conn:
                summarizer.write(conn, pending)
            summarizer.commit(pending)


def verdicts(monitor, window, target):
    kinds = {**target.scope.kinds, target.scope.score_name: "numeric"}
    thresholds = monitor.thresholds
    judged = evaluate_all(window.columns(), kinds, target.reference, thresholds)
    features = [r for r in judged if r.feature != target.scope.score_name]
    return {r.feature: r for r in judged}, dataset_drift(features, thresholds.defaults["dataset_drift_share"])


@pytest.mark.slow  # 50,000 rows judged twice per case: seconds of computing each
@pytest.mark.parametrize("drift", [None, SUBTLE, "strong"], ids=["clean", "subtle", "strong"])
def test_summaries_give_the_rows_verdicts(monitor, store, scorer, clean_db, strong_drift, drift):
    if clean_db.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (COPY)")
    drift = strong_drift if drift == "strong" else drift
    gen = TransactionGenerator(seed=16)
    batch = gen.sample(N_ROWS, drift) if drift is not None else gen.sample(N_ROWS)
    rows = _rows(batch, scorer, store.version, NOW, 295)
    _copy_rows(clean_db, rows)
    target = monitor.targets.get(clean_db, DEMO_MODEL, store.version)
    start = NOW - timedelta(minutes=5)
    with clean_db.connect() as conn:
        raw = load_window(conn, target.scope, start, NOW, max_rows=None)
    expected, expected_dataset = verdicts(monitor, raw, target)
    rank_error = kll_doubles_sketch.get_normalized_rank_error(KLL_K, False)
    for writers, exact in ((1, False), (3, True)):
        summarize(clean_db, rows, writers)
        with clean_db.connect() as conn:
            source = sources.choose(conn, target.scope, sources.Spans(start, start, NOW), LabelCache())
            window = source.window(conn)
        assert isinstance(source, sources.SummarySource) and isinstance(window, SlotWindow)
        assert window.exact is exact and window.n_rows == raw.n_rows == N_ROWS
        got, dataset = verdicts(monitor, window, target)
        assert dataset.drifted == expected_dataset.drifted
        assert dataset.drifted_features == expected_dataset.drifted_features
        for name, want in expected.items():
            have = got[name]
            assert (name, have.drifted, have.severity) == (name, want.drifted, want.severity)
            assert have.n_current == want.n_current
            # Where PSI decides a band (below 0.5) it is within 0.01; far past the bands a nearly
            # empty bin weighs ln(p / q) and a rank error there moves PSI by up to 10% (4.26 for 4.03)
            tolerance = 1e-9 if exact else (0.01 if want.psi < 0.5 else 0.1 * want.psi)
            assert have.psi == pytest.approx(want.psi, abs=tolerance), name
            if want.test == "ks":
                assert have.statistic == pytest.approx(want.statistic, abs=1e-12 if exact else rank_error)
            else:
                assert have.statistic == pytest.approx(want.statistic, rel=1e-9)
        assert len(window.scores) > 0.02 * N_ROWS  # estimated performance reads a sample of the window


def chosen(engine, scope: Scope, window_start: datetime, label_start: datetime) -> str:
    with engine.connect() as conn:
        return sources.choose(conn, scope, sources.Spans(window_start, label_start, NOW), LabelCache()).name


def test_the_summaries_are_chosen_when_they_cover_both_windows_under_the_versions_schema(clean_db, store, scorer):
    scope = Scope(DEMO_MODEL, store.version, KINDS, "score")
    gen = TransactionGenerator(seed=1)
    drift_start, label_start = NOW - timedelta(minutes=5), NOW - timedelta(minutes=30)
    assert chosen(clean_db, scope, drift_start, label_start) == "rows"  # no summaries
    rows = _rows(gen.sample(200), scorer, store.version, NOW, 600)  # summarized, the last ten minutes only
    with clean_db.begin() as conn:
        conn.execute(insert(Prediction), [{k: v for k, v in r.items()} for r in rows])
    summarize(clean_db, rows, 1)
    # nothing older than the summaries: they cover both windows
    assert chosen(clean_db, scope, drift_start, label_start) == "summaries"
    older = _rows(gen.sample(10), scorer, store.version, NOW - timedelta(minutes=20), 10)  # not summarized
    with clean_db.begin() as conn:
        conn.execute(insert(Prediction), older)
    # they cover the drift window, not the label window: both are read from rows, the choice is one
    assert chosen(clean_db, scope, drift_start, label_start) == "rows"
    assert chosen(clean_db, scope, drift_start, drift_start) == "summaries"  # a label window cut at a switch
    other = Scope(DEMO_MODEL, store.version, {**KINDS, "amount": "categorical"}, "score")
    assert chosen(clean_db, other, drift_start, drift_start) == "rows"  # kinds disagree


def test_label_cache_reads_new_labels_once_and_evicts(clean_db, store, scorer):
    scope = Scope(DEMO_MODEL, store.version, KINDS, "score")
    rows = _rows(TransactionGenerator(seed=2).sample(300), scorer, store.version, NOW, 600)
    with clean_db.begin() as conn:
        conn.execute(insert(Prediction), rows)

    def label(indices, received: datetime) -> None:
        with clean_db.begin() as conn:
            conn.execute(
                insert(GroundTruth),
                [dict(prediction_id=rows[i]["id"], label=bool(i % 2), received_at=received) for i in indices],
            )

    cache = LabelCache()
    label(range(0, 100), NOW - timedelta(seconds=5))
    start = NOW - timedelta(minutes=30)
    with clean_db.connect() as conn:
        first = cache.load(conn, scope, start, NOW, 300, shadows=False)
    assert len(first.labels) == 100 and first.n_predictions == 300
    label(range(100, 150), NOW + timedelta(seconds=20))  # a label arriving later
    with clean_db.connect() as conn:
        second = cache.load(conn, scope, start, NOW + timedelta(seconds=30), 300, shadows=False)
        third = cache.load(conn, scope, start, NOW + timedelta(seconds=60), 300, shadows=True)
    assert len(second.labels) == len(third.labels) == 150  # each label once, however often re-read
    assert sorted(second.scores.tolist()) == sorted(r["probability"] for r in rows[:150])
    # the window moves on: rows made before its start leave the cache
    later = NOW - timedelta(seconds=450)
    with clean_db.connect() as conn:
        moved = cache.load(conn, scope, later, NOW + timedelta(seconds=90), 300, shadows=False)
    kept = [i for i in range(150) if rows[i]["created_at"] >= later]
    assert 0 < len(kept) < 150 and len(moved.labels) == len(kept)
    assert len(moved.lags_s) == len(kept) and moved.labels.tolist() == [bool(i % 2) for i in kept]
    # a version no cycle reads any more is forgotten after an hour
    other = Scope(DEMO_MODEL, "retired", KINDS, "score")
    with clean_db.connect() as conn:
        cache.load(conn, other, NOW + timedelta(hours=1), NOW + timedelta(hours=2), 0, shadows=False)
    assert list(cache._rows) == [(DEMO_MODEL, "retired")]


@pytest.mark.parametrize("span_s", [100, 295], ids=["sketched", "exact"])
def test_a_cycle_on_summaries_stores_what_a_cycle_on_rows_does(settings, store, scorer, clean_db, strong_drift, span_s):
    """Whole cycles: rows only, then the same rows with their summaries (a new process)."""
    from worker.cycle import Monitor

    if clean_db.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (COPY)")
    rows = _rows(TransactionGenerator(seed=4).sample(20_000, strong_drift), scorer, store.version, NOW, span_s)
    _copy_rows(clean_db, rows)
    with clean_db.begin() as conn:
        conn.execute(
            insert(GroundTruth),
            [
                dict(prediction_id=r["id"], label=bool(i % 9 == 0), received_at=r["created_at"] + timedelta(seconds=30))
                for i, r in enumerate(rows[::2])
            ],
        )
    at = NOW + timedelta(seconds=1)
    on_rows = Monitor(settings, clean_db).run_cycle(at)[DEMO_MODEL]
    assert on_rows is not None and on_rows.source == "rows"
    summarize(clean_db, rows, 1)
    with clean_db.begin() as conn:  # the same slot again
        conn.execute(delete(MonitoringRun))
    on_summaries = Monitor(settings, clean_db).run_cycle(at)[DEMO_MODEL]
    assert on_summaries is not None and on_summaries.source == "summaries"
    assert on_summaries.status == on_rows.status == "ok" and on_summaries.n_rows == on_rows.n_rows == 20_000
    assert on_summaries.dataset.drifted_features == on_rows.dataset.drifted_features
    assert [(r.feature, r.drifted, r.severity) for r in on_summaries.drift] == [
        (r.feature, r.drifted, r.severity) for r in on_rows.drift
    ]
    assert on_summaries.realized["n_rows"] == on_rows.realized["n_rows"] == 10_000
    assert on_summaries.realized["roc_auc"] == pytest.approx(on_rows.realized["roc_auc"], abs=1e-12)
    assert on_summaries.realized["label_coverage"] == pytest.approx(0.5)
    assert on_summaries.estimated["roc_auc"] == pytest.approx(on_rows.estimated["roc_auc"], abs=0.02)


def test_retention_deletes_old_summaries(clean_db, store, scorer):
    from worker.retention import purge

    rows = _rows(TransactionGenerator(seed=3).sample(40), scorer, store.version, NOW, 30)
    old = [{**r, "id": uuid.uuid4(), "created_at": r["created_at"] - timedelta(days=8)} for r in rows]
    summarize(clean_db, old, 1)
    summarize(clean_db, rows, 1, fresh=False)
    deleted = purge(clean_db, NOW - timedelta(days=7), batch=10)
    with clean_db.connect() as conn:
        kept = conn.execute(select(PredictionSummary.slot_start)).scalars().all()
    assert deleted["prediction_summaries"] == 4 and len(kept) == 4 and min(kept) >= NOW - timedelta(seconds=40)
