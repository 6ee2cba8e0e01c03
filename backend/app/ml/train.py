"""Train the fraud model and write a versioned artifact folder.

    python -m app.ml.train [--rows 50000] [--seed 42] [--model-dir artifacts]

Data: the seeded generator, split 60/20/20 into train, validation and hold-out.
The decision threshold minimises the expected business cost on the validation
split (a missed fraud costs ``--cost-fn``, a false alarm ``--cost-fp``);
metrics are reported on the hold-out split, which neither fitting nor the
threshold has seen.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xgboost as xgb
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from app.core.config import get_settings
from driftwatch_core import artifacts
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import FEATURE_NAMES, FEATURES, schema_as_dicts
from driftwatch_core.generator import TransactionGenerator
from driftwatch_core.reference import build_reference

log = logging.getLogger("app.ml.train")

PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "tree_method": "hist",
    "max_depth": 4,
    "learning_rate": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 5,
    "nthread": 2,
}
NUM_ROUNDS = 300


def choose_threshold(y: np.ndarray, p: np.ndarray, cost_fp: float, cost_fn: float) -> float:
    """The score cut-off with the lowest total cost of false alarms and missed fraud."""
    candidates = np.unique(np.round(p, 4))
    costs = [cost_fp * np.sum((p >= t) & (y == 0)) + cost_fn * np.sum((p < t) & (y == 1)) for t in candidates]
    return round(float(candidates[int(np.argmin(costs))]), 4)


def evaluate(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    decision = p >= threshold
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "precision": float(precision_score(y, decision, zero_division=0)),
        "recall": float(recall_score(y, decision, zero_division=0)),
        "f1": float(f1_score(y, decision, zero_division=0)),
        "fraud_rate": float(y.mean()),
        "n": len(y),
    }


def train(model_dir: Path, rows: int = 50_000, seed: int = 42, cost_fp: float = 50, cost_fn: float = 500) -> Path:
    started = time.perf_counter()
    batch = TransactionGenerator(seed=seed).sample(rows)
    X, y = encode_columns(batch.columns, FEATURES), batch.labels.astype(int)
    order = np.random.default_rng(seed).permutation(rows)
    n_train, n_val = int(rows * 0.6), int(rows * 0.2)
    tr, va, te = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]

    dtrain = xgb.DMatrix(X[tr], label=y[tr], feature_names=list(FEATURE_NAMES))
    booster = xgb.train({**PARAMS, "seed": seed}, dtrain, num_boost_round=NUM_ROUNDS)
    p_val = booster.inplace_predict(X[va])
    p_test = booster.inplace_predict(X[te])
    threshold = choose_threshold(y[va], p_val, cost_fp, cost_fn)
    metrics = evaluate(y[te], p_test, threshold)

    raw = booster.save_raw("json")
    trained_at = datetime.now(UTC)
    version = f"{trained_at:%Y%m%d-%H%M%S}-{hashlib.sha256(raw).hexdigest()[:8]}"
    paths = artifacts.ArtifactPaths(model_dir / version)
    paths.folder.mkdir(parents=True, exist_ok=True)
    paths.booster.write_bytes(raw)
    # The reference is traffic the model did not train on: validation + hold-out.
    unseen = np.concatenate([va, te])
    columns = {name: col[unseen] for name, col in batch.columns.items()}
    artifacts.write_json(paths.reference, build_reference(columns, np.concatenate([p_val, p_test]), seed))
    artifacts.write_json(
        paths.metadata,
        {
            "version": version,
            "trained_at": trained_at.isoformat(),
            "algorithm": f"XGBoost {xgb.__version__} gradient-boosted trees",
            "params": {**PARAMS, "num_boost_round": NUM_ROUNDS},
            "seed": seed,
            "data": {
                "rows": rows,
                "train": len(tr),
                "validation": len(va),
                "holdout": len(te),
                "fraud_rate": float(y.mean()),
            },
            "threshold": threshold,
            "threshold_rule": (
                f"minimises expected cost on the validation split with a false positive "
                f"costing ${cost_fp:g} and a false negative ${cost_fn:g}"
            ),
            "costs": {"false_positive": cost_fp, "false_negative": cost_fn},
            "metrics": metrics,
            "feature_schema": schema_as_dicts(),
            "training_seconds": round(time.perf_counter() - started, 2),
        },
    )
    artifacts.mark_latest(model_dir, version)
    log.info(
        "trained %s in %.1f s: ROC-AUC %.3f, PR-AUC %.3f, threshold %.3f (F1 %.3f)",
        version,
        time.perf_counter() - started,
        metrics["roc_auc"],
        metrics["pr_auc"],
        threshold,
        metrics["f1"],
    )
    return paths.folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="transactions to generate")
    parser.add_argument("--seed", type=int, default=42, help="seed for data and model")
    parser.add_argument("--model-dir", type=Path, default=None, help="default: $MODEL_DIR")
    parser.add_argument("--cost-fp", type=float, default=50.0, help="cost of a false alarm, USD")
    parser.add_argument("--cost-fn", type=float, default=500.0, help="cost of a missed fraud, USD")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    model_dir = args.model_dir or get_settings().model_dir
    train(model_dir, args.rows, args.seed, args.cost_fp, args.cost_fn)


if __name__ == "__main__":
    main()
