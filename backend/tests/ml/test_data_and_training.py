"""The synthetic data and the trained artifact: realistic, reproducible, safe to load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.ml.train import train
from driftwatch_core import artifacts
from driftwatch_core.features import FEATURES, SCORE_NAME
from driftwatch_core.generator import Drift, TransactionGenerator


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


def test_the_trained_model_is_realistic_and_documented(model_dir):
    folder = artifacts.resolve(model_dir).folder
    meta = json.loads((folder / artifacts.METADATA_FILE).read_text())
    metrics = meta["metrics"]
    assert 0.90 <= metrics["roc_auc"] <= 0.97
    assert 0.0 < metrics["pr_auc"] < 1.0
    for key in ("precision", "recall", "f1"):
        assert 0.0 < metrics[key] <= 1.0, key
    assert 0.0 < meta["threshold"] < 1.0 and "cost" in meta["threshold_rule"]
    assert meta["seed"] == 42 and meta["version"] == folder.name and meta["trained_at"]
    assert [f["name"] for f in meta["feature_schema"]] == [f.name for f in FEATURES]


def test_the_booster_is_json_never_a_pickle(model_dir):
    folder = artifacts.resolve(model_dir).folder
    booster = json.loads((folder / artifacts.BOOSTER_FILE).read_text())
    assert "learner" in booster
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))


def test_the_reference_holds_what_the_worker_needs(model_dir):
    folder = artifacts.resolve(model_dir).folder
    ref = json.loads((folder / artifacts.REFERENCE_FILE).read_text())
    for f in FEATURES:
        r = ref["features"][f.name]
        assert sum(r["proportions"]) == pytest.approx(1.0)
        if f.kind == "numeric":
            assert len(r["proportions"]) == len(r["edges"]) + 1
            assert r["edges"] == sorted(r["edges"]) and len(r["sample"]) >= 1_000
        else:
            assert len(r["proportions"]) == len(r["categories"])
    score = ref[SCORE_NAME]
    assert len(score["edges"]) == 9 and len(score["sample"]) >= 1_000


def test_training_is_reproducible_from_its_seed(tmp_path):
    first = train(tmp_path / "a", rows=8_000, seed=11)
    second = train(tmp_path / "b", rows=8_000, seed=11)
    meta = [json.loads((f / artifacts.METADATA_FILE).read_text()) for f in (first, second)]
    assert meta[0]["metrics"] == meta[1]["metrics"]
    assert meta[0]["threshold"] == meta[1]["threshold"]
    assert (first / artifacts.REFERENCE_FILE).read_text() == (second / artifacts.REFERENCE_FILE).read_text()
