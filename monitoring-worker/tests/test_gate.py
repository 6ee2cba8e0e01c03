"""The promotion gate: its decisions, and what it does with AUTO_PROMOTE on (once per change)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert, select

from driftwatch_core.db.models import (
    Alert,
    GroundTruth,
    ModelEvent,
    ModelVersion,
    Prediction,
    RegisteredModel,
    VersionComparison,
)
from driftwatch_testing import DEMO_MODEL
from worker import gate
from worker.cycle import Monitor

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
UNIFORM = np.linspace(0.001, 0.999, 2_000)


def diff(estimate, low, high) -> dict:
    return {"estimate": estimate, "low": low, "high": high, "confidence": 0.95, "resamples": 1000, "n": 500}


@pytest.mark.parametrize(
    "n_labelled, auc_diff, enabled, margin, expected",
    [
        (120, diff(0.2, 0.1, 0.3), True, 0.0, ("hold", "only 120 of the 300 labelled rows needed")),
        (
            500,
            diff(0.031, -0.004, 0.066),
            True,
            0.0,
            (
                "hold",
                "ROC-AUC gain +0.031, 95% CI [-0.004, +0.066]: the lower bound is not above the margin 0.000",
            ),
        ),
        (
            500,
            diff(0.08, 0.05, 0.11),
            True,
            0.0,
            ("promote", "ROC-AUC gain +0.080, 95% CI [+0.050, +0.110] clears the margin 0.000"),
        ),
        (
            500,
            diff(0.08, 0.05, 0.11),
            True,
            0.05,
            ("hold", "ROC-AUC gain +0.080, 95% CI [+0.050, +0.110]: the lower bound is not above the margin 0.050"),
        ),
        (
            500,
            diff(None, None, None),
            True,
            0.0,
            ("hold", "ROC-AUC cannot be compared on the 500 labelled rows: they hold one class only"),
        ),
        (5_000, diff(0.08, 0.05, 0.11), False, 0.0, ("hold", "automatic promotion is off (AUTO_PROMOTE=0)")),
    ],
)
def test_decide(n_labelled, auc_diff, enabled, margin, expected):
    assert gate.decide(n_labelled, auc_diff, enabled, 300, margin) == expected


def test_reason_kinds_tell_apart_what_a_decision_is_about():
    kinds = [
        gate.judge(10, diff(0.1, 0.05, 0.2), True, 300, 0.0).kind,
        gate.judge(20, diff(0.1, 0.05, 0.2), True, 300, 0.0).kind,  # other numbers, same kind
        gate.judge(400, diff(0.01, -0.02, 0.04), True, 300, 0.0).kind,
        gate.judge(400, diff(0.1, 0.05, 0.2), True, 300, 0.0).kind,
    ]
    assert kinds == ["labels", "labels", "margin", "clears"]


# --- whole cycles ------------------------------------------------------------------------------


def scores(n: int, seed: int, champion_separation: float, challenger_separation: float):
    """Labels (30% positive) and the two versions' scores of the same requests (binormal)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    shared = rng.normal(size=n)

    def version(a: float) -> np.ndarray:
        return 1 / (1 + np.exp(-(a * y + 0.7 * shared + 0.7 * rng.normal(size=n) - a / 2)))

    return list(y), version(champion_separation), version(challenger_separation)


@pytest.fixture
def gated(settings, clean_db, staged_model):
    """Model "m": champion v1, challenger v2 in shadow; a monitor with AUTO_PROMOTE on, 200 labels needed."""
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, "v1", "v2")
    return Monitor(settings.model_copy(update={"auto_promote": True, "promote_min_labels": 200}), clean_db)


def stage(engine) -> tuple:
    with engine.connect() as conn:
        row = conn.execute(select(RegisteredModel).where(RegisteredModel.name == "m")).one()
    return row.champion_version, row.challenger_version, row.previous_champion


def model_events(engine, *kinds: str) -> list[ModelEvent]:
    with engine.connect() as conn:
        stmt = select(ModelEvent).where(ModelEvent.model_name == "m").order_by(ModelEvent.id)
        return list(conn.execute(stmt.where(ModelEvent.kind.in_(kinds)) if kinds else stmt))


def notes(engine) -> list[Alert]:
    with engine.connect() as conn:
        return list(conn.execute(select(Alert).where(Alert.kind == gate.NOTE).order_by(Alert.id)))


def last_gate(engine) -> dict:
    with engine.connect() as conn:
        return conn.execute(select(VersionComparison.details).order_by(VersionComparison.id.desc())).scalar()["gate"]


def test_the_gate_holds_for_labels_then_promotes_once_and_writes_each_change_once(gated, clean_db, store_pairs):
    y, champion, challenger = scores(2_000, seed=1, champion_separation=0.8, challenger_separation=2.0)
    labels = [v if i < 120 else None for i, v in enumerate(y)]  # 120 of the 200 labels needed so far
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 240, labels=labels)

    first = gated.run_cycle(NOW)["m"]
    assert first.comparison.verdict.decision == "hold"
    assert last_gate(clean_db) == {
        "enabled": True,
        "decision": "hold",
        "reason": "only 120 of the 200 labelled rows needed",
    }
    [event] = model_events(clean_db, "gate")
    assert (event.actor, event.version, event.details["decision"]) == ("worker", "v2", "hold")
    assert event.message == "hold v2 (challenger of v1): only 120 of the 200 labelled rows needed"
    [note] = notes(clean_db)
    assert (note.model_name, note.severity, note.status, note.feature) == ("m", "info", "open", "")
    assert note.message == "hold v2 (challenger of v1): only 120 of the 200 labelled rows needed"

    # More labels, still too few: the note follows, no second event (same decision, same kind of reason).
    store_pairs("m", "v1", "v2", champion[:30], challenger[:30], NOW + timedelta(seconds=20), 10, labels=y[:30])
    gated.run_cycle(NOW + timedelta(seconds=30))
    gated.run_cycle(NOW + timedelta(seconds=60))
    assert len(model_events(clean_db, "gate")) == 1
    [note] = notes(clean_db)
    assert note.message.endswith("only 150 of the 200 labelled rows needed") and note.status == "open"
    assert stage(clean_db) == ("v1", "v2", None)

    # Enough labels and a clearly better challenger: promoted, once.
    store_pairs("m", "v1", "v2", champion, challenger, NOW + timedelta(seconds=80), 60, labels=y)
    promoted = gated.run_cycle(NOW + timedelta(seconds=90))["m"]
    assert promoted.comparison.promoted and promoted.status == "ok"
    assert stage(clean_db) == ("v2", None, "v1")
    decided = last_gate(clean_db)
    assert decided["decision"] == "promote"
    assert re.fullmatch(
        r"ROC-AUC gain \+0\.\d{3}, 95% CI \[\+0\.\d{3}, \+0\.\d{3}\] clears the margin 0\.000", decided["reason"]
    ), decided["reason"]
    kinds = [(e.kind, e.actor, e.version) for e in model_events(clean_db)]
    assert kinds[-3:] == [("gate", "worker", "v2"), ("gate", "worker", "v2"), ("promoted", "worker", "v2")]
    promotion = model_events(clean_db, "promoted")[-1]
    assert promotion.details["reason"] == decided["reason"] and promotion.details["previous"] == "v1"
    assert promotion.details["comparison_id"] == promoted.comparison.id
    [note] = notes(clean_db)
    assert note.message.startswith("promote v2 over v1: ROC-AUC gain +")

    # The challenger is gone: no comparison, the note resolves, no further gate event.
    after = gated.run_cycle(NOW + timedelta(seconds=120))["m"]
    assert after.comparison is None and after.version == "v2"
    assert [n.status for n in notes(clean_db)] == ["resolved"]
    assert len(model_events(clean_db, "gate")) == 2
    with clean_db.connect() as conn:
        assert len(conn.execute(select(VersionComparison.id)).all()) == 4


@pytest.mark.parametrize("challenger_separation, margin", [(1.2, 0.0), (2.0, 0.3)])
def test_the_gate_holds_while_the_interval_does_not_clear_the_margin(
    settings, clean_db, staged_model, store_pairs, challenger_separation, margin
):
    """An equal challenger (the interval straddles 0), and a better one short of a large margin."""
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, "v1", "v2")
    update = {"auto_promote": True, "promote_min_labels": 200, "promote_margin": margin}
    monitor = Monitor(settings.model_copy(update=update), clean_db)
    y, champion, challenger = scores(
        2_000, seed=2, champion_separation=1.2, challenger_separation=challenger_separation
    )
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 240, labels=y)

    for i in range(3):
        result = monitor.run_cycle(NOW + timedelta(seconds=30 * i))["m"]
        assert result.comparison.verdict.decision == "hold"
    reason = last_gate(clean_db)["reason"]
    assert re.fullmatch(
        r"ROC-AUC gain [+-]0\.\d{3}, 95% CI \[[+-]0\.\d{3}, [+-]0\.\d{3}\]: the lower bound is not above "
        rf"the margin {margin:.3f}",
        reason,
    ), reason
    assert result.comparison.details["auc_diff"]["low"] <= margin
    assert stage(clean_db) == ("v1", "v2", None)
    assert [e.details["reason_kind"] for e in model_events(clean_db, "gate")] == ["margin"]  # once in 3 cycles
    assert model_events(clean_db, "promoted")[-1].actor == "test"  # only the setup's promotion


def test_with_auto_promote_off_a_clear_winner_waits_and_nothing_is_written(
    monitor, clean_db, staged_model, store_pairs
):
    staged_model(clean_db, "m", {"v1": UNIFORM, "v2": UNIFORM}, "v1", "v2")
    y, champion, challenger = scores(2_000, seed=3, champion_separation=0.8, challenger_separation=2.0)
    store_pairs("m", "v1", "v2", champion, challenger, NOW, 240, labels=y)
    result = monitor.run_cycle(NOW)["m"]
    assert result.comparison.details["auc_diff"]["low"] > 0.1  # it would clear the margin
    assert last_gate(clean_db) == {"enabled": False, "decision": "hold", "reason": gate.OFF_REASON}
    assert stage(clean_db) == ("v1", "v2", None)
    assert model_events(clean_db, "gate") == [] and notes(clean_db) == []


@pytest.mark.slow
def test_a_retrained_challenger_beats_the_champion_under_concept_drift(settings, store, clean_db, scorer):
    """The demo model under the generator's concept drift, a challenger trained on the new
    pattern scoring the same requests in shadow: the gate promotes it."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sqlalchemy.orm import Session

    from driftwatch_core import stages
    from driftwatch_core.encoding import encode_columns
    from driftwatch_core.features import FEATURES, schema_as_dicts
    from driftwatch_core.generator import Drift, TransactionGenerator
    from driftwatch_core.reference import build_reference

    drift = Drift(concept=1.0)
    train = TransactionGenerator(seed=60, fraud_rate=0.1).sample(20_000, drift)
    retrained = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(
        encode_columns(train.columns, FEATURES), train.labels
    )
    with Session(clean_db) as session, session.begin():
        training_scores = retrained.predict_proba(encode_columns(train.columns, FEATURES))[:, 1]
        session.add(
            ModelVersion(
                version="fraud-retrained",
                model_name=DEMO_MODEL,
                trained_at=NOW,
                threshold=0.5,
                metrics={},
                feature_schema=schema_as_dicts(),
                registered_at=NOW,
                reference=build_reference(train.columns, training_scores, seed=1, schema=FEATURES),
            )
        )
        session.flush()
        stages.challenge(session, DEMO_MODEL, "fraud-retrained", "shadow", actor="test")  # the demo: champion

    live = TransactionGenerator(seed=62, fraud_rate=0.1).sample(3_000, drift)
    champion_scores, _ = scorer(live.columns)
    challenger_scores = retrained.predict_proba(encode_columns(live.columns, FEATURES))[:, 1]
    ids = [uuid.uuid4() for _ in range(len(live))]  # the champion answers, the challenger shadows
    created = [NOW - timedelta(seconds=240 - 0.08 * i) for i in range(len(live))]
    records = live.records()
    with clean_db.begin() as conn:
        for version, column, threshold, shadow in (
            (store.version, champion_scores, scorer.threshold, False),
            ("fraud-retrained", challenger_scores, 0.5, True),
        ):
            conn.execute(
                insert(Prediction),
                [
                    dict(
                        id=uuid.uuid4() if shadow else ids[i],
                        created_at=created[i],
                        model_name=DEMO_MODEL,
                        model_version=version,
                        features=records[i],
                        probability=float(column[i]),
                        is_fraud=bool(column[i] >= threshold),
                        threshold=threshold,
                        latency_ms=1.0,
                        shadow_of=ids[i] if shadow else None,
                    )
                    for i in range(len(live))
                ],
            )
        conn.execute(
            insert(GroundTruth),
            [dict(prediction_id=ids[i], label=bool(live.labels[i]), received_at=NOW) for i in range(len(live))],
        )

    monitor = Monitor(settings.model_copy(update={"auto_promote": True}), clean_db)
    result = monitor.run_cycle(NOW)[DEMO_MODEL]

    details = result.comparison.details
    assert details["champion"]["realized"]["roc_auc"] < settings.min_roc_auc  # the old pattern's model
    assert details["challenger"]["realized"]["roc_auc"] > details["champion"]["realized"]["roc_auc"] + 0.1
    assert details["challenger"]["prediction_drift"]["drifted"] is False  # against its own reference
    assert result.comparison.promoted and details["gate"]["decision"] == "promote"
    with clean_db.connect() as conn:
        model = conn.execute(select(RegisteredModel).where(RegisteredModel.name == DEMO_MODEL)).one()
    assert (model.champion_version, model.previous_champion) == ("fraud-retrained", store.version)
