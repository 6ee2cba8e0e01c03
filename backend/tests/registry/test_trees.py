"""The tree table scores a few rows as XGBoost does, and refuses what it cannot reproduce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from app.ml.trees import MAX_ROWS, compile_trees
from app.registry.formats import XGBoostScorer


def _data(seed: int = 0, n: int = 2_000, features: int = 6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    X[:, 2] = np.round(X[:, 2] * 3)  # ties on split values, as integer features have
    y = (X[:, 0] + 0.5 * X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=n) > 0).astype(int)
    X[rng.random(X.shape) < 0.03] = np.nan  # XGBoost learns a direction for missing values
    return X, y


def _train(params: dict, rounds: int = 40, seed: int = 0) -> xgb.Booster:
    X, y = _data(seed)
    return xgb.train({"tree_method": "hist", "seed": seed, **params}, xgb.DMatrix(X, label=y), rounds)


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "binary:logistic", "max_depth": 4},
        {"objective": "binary:logistic", "max_depth": 7, "base_score": 0.2},
        {"objective": "binary:logitraw", "max_depth": 3},
        {"objective": "binary:logistic", "max_depth": 0, "grow_policy": "lossguide", "max_leaves": 12},
    ],
    ids=["depth4", "depth7-base", "logitraw", "lossguide"],
)
def test_a_few_rows_score_as_xgboost_scores_them(params):
    booster = _train(params)
    scorer = XGBoostScorer(booster, "xgboost-json", logitraw=params["objective"] == "binary:logitraw")
    assert scorer._table is not None
    X, _ = _data(seed=1, n=300)
    expected = XGBoostScorer(booster, "xgboost-json", logitraw=params["objective"] == "binary:logitraw")
    expected._table = None  # XGBoost alone
    reference = expected.predict_proba(X)
    one_by_one = np.concatenate([scorer.predict_proba(X[i : i + 1]) for i in range(len(X))])
    in_fours = np.concatenate([scorer.predict_proba(X[i : i + MAX_ROWS]) for i in range(0, len(X), MAX_ROWS)])
    assert np.max(np.abs(one_by_one - reference)) < 1e-6
    assert np.max(np.abs(in_fours - reference)) < 1e-6
    assert np.isnan(X).any(axis=1)[:50].any()  # missing values were among them


def test_what_the_walk_cannot_reproduce_is_left_to_xgboost():
    dart = _train({"objective": "binary:logistic", "booster": "dart", "rate_drop": 0.3, "max_depth": 3}, rounds=10)
    assert compile_trees(dart) is None
    X, y = _data()
    frame = pd.DataFrame(X[:, :2], columns=["a", "b"])
    frame["c"] = pd.Categorical(np.where(X[:, 2] > 0, "x", "y"))
    categorical = xgb.train(
        {"objective": "binary:logistic", "tree_method": "hist", "max_cat_to_onehot": 1},
        xgb.DMatrix(frame, label=y, enable_categorical=True),
        10,
    )
    assert compile_trees(categorical) is None
    linear = _train({"objective": "binary:logistic", "booster": "gblinear"}, rounds=5)
    assert compile_trees(linear) is None
