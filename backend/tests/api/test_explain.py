"""SHAP explanations: additive, and in agreement with the shap library."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xgboost as xgb

from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import FEATURE_NAMES
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import demo_version


def test_contributions_plus_base_equal_the_margin(client, transaction):
    body = client.post("/api/v1/explain", json=transaction).json()
    assert set(body["contributions"]) == set(FEATURE_NAMES)
    total = body["base_value"] + sum(body["contributions"].values())
    assert total == pytest.approx(body["margin"], abs=1e-4)
    assert 1 / (1 + math.exp(-body["margin"])) == pytest.approx(body["score"], abs=1e-5)
    assert body["score"] == pytest.approx(client.post("/api/v1/predict", json=transaction).json()["score"], abs=1e-5)
    assert (body["model"], body["model_version"]) == ("fraud", client.get("/api/v1/model").json()["version"])


def test_risky_features_push_a_fraud_like_transaction_up(client, fraud_like):
    contributions = client.post("/api/v1/explain", json=fraud_like).json()["contributions"]
    top = sorted(contributions, key=lambda k: -contributions[k])[:5]
    assert contributions["amount"] > 0 and contributions["account_age_days"] > 0
    assert len(top) == 5


def test_native_treeshap_agrees_with_shap_tree_explainer(client):
    shap = pytest.importorskip("shap")
    champion = client.app.state.driftwatch.champion("fraud")
    X = encode_columns(TransactionGenerator(seed=99).sample(100).columns, champion.schema)
    native = champion.scorer.contributions(X)
    booster = xgb.Booster()
    booster.load_model(bytearray(demo_version()["artifact"]))  # the registered artifact, loaded by xgboost alone
    explainer = shap.TreeExplainer(booster)
    reference = explainer.shap_values(X)
    np.testing.assert_allclose(native[:, :-1], reference, atol=1e-5)
    np.testing.assert_allclose(native[:, -1], explainer.expected_value, atol=1e-5)


def test_global_importance_is_cached_and_ranks_real_signals(client):
    first = client.get("/api/v1/explain/global").json()
    second = client.get("/api/v1/explain/global").json()
    assert first == second
    assert first["model"] == "fraud" and first["sample_size"] > 0  # over the version's reference rows
    importance = first["mean_abs_shap"]
    assert set(importance) == set(FEATURE_NAMES)
    ranked = sorted(importance, key=importance.get, reverse=True)
    # The generator's fraud signal lives in these; day_of_week carries none.
    assert ranked.index("day_of_week") > ranked.index("amount")
    assert importance["day_of_week"] < importance["amount"]
