"""The demo model: realistic synthetic data, a seeded trainer, and files registered like any upload.

``app.demo`` trains the ``fraud`` model into the files a user uploads (an XGBoost JSON booster,
the hold-out split as a Parquet reference with its label, the feature schema, a threshold) and
registers them through the registry's own ``prepare``/``save``. The cached export every suite
inserts (``driftwatch_testing.demo``) is made by the same code (``python -m app.demo --export``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from fastapi.testclient import TestClient
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import model
from app.demo.__main__ import main as demo_main
from app.main import create_app
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import ModelEvent, ModelVersion, RegisteredModel, utcnow
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import FEATURE_NAMES, FEATURES, SCORE_NAME, schema_as_dicts
from driftwatch_core.generator import Drift, TransactionGenerator
from driftwatch_core.stages import promote
from driftwatch_testing import auth, demo_files, demo_version, empty_database, insert_demo, until_ready
from driftwatch_testing import demo as testing_demo

BACKEND = Path(__file__).resolve().parents[2]

# --- The data it learns from ------------------------------------------------------------------------


def test_the_generator_is_reproducible_from_its_seed():
    a = TransactionGenerator(seed=7).sample(2_000)
    b = TransactionGenerator(seed=7).sample(2_000)
    c = TransactionGenerator(seed=8).sample(2_000)
    assert a.records() == b.records()
    assert np.array_equal(a.labels, b.labels)
    assert a.records() != c.records()


def test_generated_rows_respect_the_schema_and_fraud_is_rare():
    batch = TransactionGenerator(seed=1).sample(50_000)
    assert 0.02 <= batch.labels.mean() <= 0.04
    for f in FEATURES:
        col = batch.columns[f.name]
        if f.kind == "numeric":
            assert f.minimum <= col.min() and col.max() <= f.maximum, f.name
            assert np.unique(col).size >= min(7, f.maximum - f.minimum), f"{f.name} is degenerate"
        elif f.kind == "categorical":
            assert set(np.unique(col)) <= set(f.categories), f.name
        else:
            assert 0.0 < col.astype(bool).mean() < 1.0, f.name


def test_fraud_depends_on_several_features():
    batch = TransactionGenerator(seed=3).sample(50_000)
    y = batch.labels.astype(bool)
    differing = [
        f.name
        for f in FEATURES
        if f.kind == "numeric"
        and abs(np.median(batch.columns[f.name][y]) - np.median(batch.columns[f.name][~y]))
        > 0.1 * np.std(batch.columns[f.name])
    ]
    assert len(differing) >= 3, differing


def test_drift_changes_what_it_names_and_nothing_else():
    normal = TransactionGenerator(seed=5).sample(20_000)
    shifted = TransactionGenerator(seed=5).sample(20_000, Drift(scale={"amount": 1.3}))
    assert np.median(shifted.columns["amount"]) == pytest.approx(1.3 * np.median(normal.columns["amount"]), rel=0.05)
    assert np.array_equal(shifted.columns["hour_of_day"], normal.columns["hour_of_day"])


# --- Training ---------------------------------------------------------------------------------------


def _without_timing(source: dict) -> dict:
    return {k: v for k, v in source.items() if k != "training_seconds"}


def test_training_is_seeded_and_reproducible_and_its_threshold_follows_the_cost_rule():
    rows, seed = 2_000, 11
    first, second = model.train(rows, seed), model.train(rows, seed)
    assert first.artifact == second.artifact and first.reference == second.reference
    assert first.threshold == second.threshold and first.schema == second.schema == schema_as_dicts(FEATURES)
    assert _without_timing(first.source) == _without_timing(second.source)
    assert first.source["trainer"] == "app.demo" and first.source["data"] == {
        "generator": "driftwatch_core.generator",
        "rows": rows,
        "seed": seed,
        "positive_rate": pytest.approx(first.source["data"]["positive_rate"]),
    }
    assert json.loads(first.artifact)["learner"]  # XGBoost's own JSON, never a pickle

    # The split the module documents (60/20/20 of a seeded permutation), rebuilt here: the
    # reference is the hold-out, and the threshold is the cheapest cut on the validation split.
    batch = TransactionGenerator(seed=seed).sample(rows)
    order = np.random.default_rng(seed).permutation(rows)
    validation, holdout = order[1_200:1_600], order[1_600:]
    assert first.source["split"] == {"train": 1_200, "validation": 400, "holdout": 400}
    reference = pd.read_parquet(io.BytesIO(first.reference))
    expected = pd.DataFrame({name: batch.columns[name][holdout] for name in FEATURE_NAMES})
    pd.testing.assert_frame_equal(reference[list(FEATURE_NAMES)], expected, check_dtype=False)
    assert reference[model.LABEL].tolist() == batch.labels[holdout].astype(int).tolist()

    booster = xgb.Booster()
    booster.load_model(bytearray(first.artifact))
    y = batch.labels[validation].astype(int)
    p = booster.inplace_predict(encode_columns({n: c[validation] for n, c in batch.columns.items()}, FEATURES))
    assert first.source["costs"] == {"false_positive": model.COST_FP, "false_negative": model.COST_FN}

    def cost(t: float) -> float:
        return model.COST_FP * np.sum((p >= t) & (y == 0)) + model.COST_FN * np.sum((p < t) & (y == 1))

    assert 0 < first.threshold < 1 and "expected cost" in first.source["threshold_rule"]
    assert cost(first.threshold) <= min(cost(t) for t in np.unique(np.round(p, 4)))
    assert cost(first.threshold) < cost(0.5)  # fraud is costly: the cut sits well under one half


# --- The registered demo version (the export every suite inserts) -----------------------------------------


def test_the_demo_version_is_realistic_and_documented():
    row = demo_version()
    metrics, source = row["metrics"], row["source"]
    assert 0.90 <= metrics["roc_auc"] <= 0.97
    assert 0.0 < metrics["pr_auc"] < 1.0
    for key in ("precision", "recall", "f1"):
        assert 0.0 < metrics[key] <= 1.0, key
    assert 0.0 < row["threshold"] < 1.0 and "cost" in source["threshold_rule"]
    assert source["trainer"] == "app.demo" and source["data"]["seed"] == 42 and row["trained_at"]
    assert row["format"] == "xgboost-json" and row["label_column"] == model.LABEL
    assert [f["name"] for f in row["feature_schema"]] == list(FEATURE_NAMES)
    # The metrics are the hold-out's: the reference rows the version keeps, scored by its artifact.
    kept = pd.read_parquet(io.BytesIO(row["reference_table"]))
    assert metrics["n"] == len(kept) == source["split"]["holdout"] == source["reference_rows"]
    booster = xgb.Booster()
    booster.load_model(bytearray(row["artifact"]))
    scores = booster.inplace_predict(encode_columns({f.name: kept[f.name].to_numpy() for f in FEATURES}, FEATURES))
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(kept[model.LABEL], scores))


def test_the_reference_holds_what_the_worker_needs():
    ref = demo_version()["reference"]
    for f in FEATURES:
        r = ref["features"][f.name]
        assert sum(r["proportions"]) == pytest.approx(1.0)
        if f.kind == "numeric":
            assert len(r["proportions"]) == len(r["edges"]) + 1
            assert r["edges"] == sorted(r["edges"]) and len(r["sample"]) >= 1_000
        else:
            assert len(r["proportions"]) == len(r["categories"])
    assert ref["score_name"] == SCORE_NAME
    score = ref[SCORE_NAME]
    assert len(score["edges"]) == 9 and len(score["sample"]) >= 1_000


# --- Registering it: python -m app.demo ------------------------------------------------------------------


def _cache() -> Path:
    """Where the run's trained demo files are kept (``demo_files`` trains them there first)."""
    demo_files()
    return testing_demo.cache_dir()


def _events(engine, name: str) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        query = select(ModelEvent.kind, ModelEvent.actor).where(ModelEvent.model_name == name).order_by(ModelEvent.id)
        return [tuple(row) for row in session.execute(query)]


def test_the_demo_registers_through_prepare_and_save_like_an_upload(settings, database_url, clean_db):
    assert demo_main(["--database-url", database_url, "--cache", str(_cache())]) == 0
    with Session(clean_db) as session:
        fraud = session.get(RegisteredModel, "fraud")
        assert fraud is not None and fraud.champion_version is not None
        stored = session.get(ModelVersion, fraud.champion_version)
        assert stored is not None
    assert _events(clean_db, "fraud") == [("registered", "app.demo"), ("promoted", "app.demo")]
    source = stored.source
    assert source["trainer"] == "app.demo" and source["schema"] == "given" and source["seed"] == 42
    assert source["reference_file"] == "reference.parquet" and source["label"] == stored.label_column == "is_fraud"
    kept = pd.read_parquet(io.BytesIO(stored.reference_table))
    assert len(kept) == stored.metrics["n"] == source["split"]["holdout"]
    assert stored.threshold == demo_version()["threshold"] and stored.artifact_sha256 == demo_version()["sha256"]

    # The same files posted to POST /api/v1/models (a dry run) make the same version.
    files = model.trained(cache=_cache())
    with TestClient(create_app(settings), headers=auth()) as client:
        until_ready(client)
        answer = client.post(
            "/api/v1/models",
            data={"name": "uploaded", "label": model.LABEL, "threshold": str(files.threshold), "dry_run": "true"},
            files={
                "artifact": ("model.json", files.artifact),
                "reference": ("reference.parquet", files.reference),
                "schema": ("schema.json", json.dumps(files.schema).encode()),
            },
        )
        assert answer.status_code == 200, answer.text
        uploaded = answer.json()["version"]
        served = client.get("/api/v1/models/fraud/model").json()
    assert uploaded["metrics"] == pytest.approx(stored.metrics) and uploaded["threshold"] == stored.threshold
    assert uploaded["features"] == served["features"] and uploaded["artifact_sha256"] == stored.artifact_sha256
    assert served["version"] == stored.version and served["source"]["trainer"] == "app.demo"


def test_the_export_is_what_the_test_fixtures_insert(settings, clean_db, tmp_path, monkeypatch, transaction):
    """``python -m app.demo --export`` writes the folder ``driftwatch_testing.insert_demo`` reads."""
    folder = tmp_path / demo_files().name  # where the fixtures look, under another cache
    assert demo_main(["--export", str(folder), "--cache", str(_cache())]) == 0
    exported = json.loads((folder / "version.json").read_text())
    assert {"artifact.json", "reference_table.parquet", "version.json"} <= {p.name for p in folder.iterdir()}
    assert exported["source"]["trainer"] == "app.demo" and exported["sha256"] == demo_version()["sha256"]
    monkeypatch.setenv("DRIFTWATCH_TEST_CACHE", str(tmp_path))
    testing_demo.forget()
    try:
        version = insert_demo(clean_db)
        assert version == exported["version"]
    finally:
        monkeypatch.delenv("DRIFTWATCH_TEST_CACHE")
        testing_demo.forget()  # the next test reads the run's own export again
    with Session(clean_db) as session:
        stored = session.get(ModelVersion, version)
        assert stored.reference_table == (folder / "reference_table.parquet").read_bytes()
        assert stored.metrics == exported["metrics"]
        assert session.get(RegisteredModel, "fraud").champion_version == version
    with TestClient(create_app(settings), headers=auth()) as client:
        answer = until_ready(client).post("/api/v1/predict", json=transaction)
    assert answer.status_code == 200 and answer.json()["model_version"] == version


@pytest.mark.slow  # starts python -m app.demo twice
def test_if_missing_registers_the_demo_once_then_does_nothing(tmp_path):
    with empty_database("postgresql", tmp_path / "db") as url:
        env = {**os.environ, "DATABASE_URL": url, "DEMO_CACHE_DIR": str(_cache())}

        def run() -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "app.demo", "--if-missing"],
                cwd=BACKEND,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )

        first = run()
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("registered fraud version "), first.stdout
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                champion = session.get(RegisteredModel, "fraud").champion_version
                assert session.get(ModelVersion, champion).source["trainer"] == "app.demo"
            events = _events(engine, "fraud")
            assert [kind for kind, _ in events] == ["registered", "promoted"]

            again = run()
            assert again.returncode == 0, again.stderr
            assert f"fraud is registered already (champion {champion}): nothing to do" in again.stdout
            with Session(engine) as session:
                assert session.scalar(select(func.count()).select_from(ModelVersion)) == 1
            assert _events(engine, "fraud") == events
        finally:
            engine.dispose()


def test_if_missing_replaces_a_champion_that_cannot_be_served(database_url, clean_db, capsys):
    """A champion of the release before the registry kept its artifact and reference in a folder: with
    neither in the database it can be neither served nor judged, so --if-missing registers the demo anew."""
    with Session(clean_db) as session, session.begin():
        session.add(RegisteredModel(name="fraud", task="binary_classification", description="", created_at=utcnow()))
        session.flush()
        session.add(
            ModelVersion(
                version="v1", model_name="fraud", trained_at=utcnow(), threshold=0.5, metrics={}, feature_schema=[]
            )
        )
        session.flush()
        promote(session, "fraud", "v1", actor="release 1.0")
    assert demo_main(["--if-missing", "--database-url", database_url, "--cache", str(_cache())]) == 0
    assert capsys.readouterr().out.startswith("registered fraud version ")
    with Session(clean_db) as session:
        champion = session.get(RegisteredModel, "fraud").champion_version
        assert champion != "v1" and session.get(ModelVersion, champion).reference
