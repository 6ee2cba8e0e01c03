"""Retention in small batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from driftwatch_core.db.models import Alert, GroundTruth, MonitoringRun, Prediction
from driftwatch_core.generator import TransactionGenerator
from worker.retention import purge

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_retention_deletes_only_old_rows_in_batches(monitor, store, clean_db):
    gen = TransactionGenerator(seed=13)
    store(gen.sample(250), NOW - timedelta(days=8), 60, label_share=1.0)
    store(gen.sample(100), NOW, 60, label_share=1.0)
    monitor.run_cycle(NOW - timedelta(days=8))  # an old run (and its results)
    deleted = purge(clean_db, NOW - timedelta(days=7), batch=40)
    assert deleted["predictions"] == 250 and deleted["monitoring_runs"] == 1
    assert count(clean_db, Prediction) == 100 and count(clean_db, GroundTruth) == 100
    assert count(clean_db, MonitoringRun) == 0
    # Every cycle purges too: a run older than RETENTION_DAYS disappears next cycle.
    monitor.run_cycle(NOW - timedelta(days=8))
    monitor.run_cycle(NOW)
    assert count(clean_db, MonitoringRun) == 1 and count(clean_db, Prediction) == 100


def test_retention_keeps_unresolved_alerts(clean_db):
    old = NOW - timedelta(days=30)
    with clean_db.begin() as conn:
        for status, feature in (("resolved", "a"), ("open", "b")):
            conn.execute(
                Alert.__table__.insert().values(
                    model_name="m",
                    kind="feature_drift",
                    feature=feature,
                    severity="warning",
                    status=status,
                    message="m",
                    opened_at=old,
                    updated_at=old,
                    clear_cycles=0,
                )
            )
    purge(clean_db, NOW - timedelta(days=7), batch=10)
    with clean_db.connect() as conn:
        assert conn.execute(select(Alert.status)).scalars().all() == ["open"]


def test_retention_deletes_old_comparisons_and_keeps_the_timeline(clean_db, staged_model, write_pairs):
    import numpy as np

    from driftwatch_core.db.models import ModelEvent, VersionComparison

    staged_model(clean_db, "m", {"v1": np.linspace(0, 1, 50), "v2": np.linspace(0, 1, 50)}, "v1", "v2")
    old = NOW - timedelta(days=8)
    write_pairs(clean_db, "m", "v1", "v2", np.full(30, 0.2), np.full(30, 0.7), old, 30)  # a shadow row each
    with clean_db.begin() as conn:
        for at in (old, NOW):
            conn.execute(
                VersionComparison.__table__.insert().values(
                    model_name="m",
                    computed_at=at,
                    champion_version="v1",
                    challenger_version="v2",
                    mode="shadow",
                    n_paired=0,
                    n_labelled=0,
                    details={},
                )
            )
    events = count(clean_db, ModelEvent)
    deleted = purge(clean_db, NOW - timedelta(days=7), batch=10)
    assert deleted["version_comparisons"] == 1 and deleted["predictions"] == 60  # answered and shadow rows
    with clean_db.connect() as conn:
        assert conn.execute(select(VersionComparison.computed_at)).scalars().all() == [NOW]
    assert count(clean_db, ModelEvent) == events > 0  # the timeline stays
