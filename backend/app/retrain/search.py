"""Fitting a challenger's booster: XGBoost with the default parameters, or an Optuna search.

With ``trials > 0``, the best of an Optuna TPE search (seeded; trial 1 is the default
parameters, so the pick is never worse than them on validation) over depth, learning
rate, child weight, row and column sampling and rounds, scored by ROC-AUC on a
stratified 20% of the training traffic (never the hold-out; the original rows only
ever train, since the traffic is what the model will see); the final model is then
fitted on the whole training set with the best choice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from app.ml.boosting import NUM_ROUNDS, PARAMS

DEFAULT_PARAMS = {**PARAMS, "nthread": 1}
#: Boosting rounds the search chooses from (in steps of 50).
MIN_ROUNDS, MAX_ROUNDS = 100, 600
VALIDATION_SHARE = 0.2


@dataclass
class Fitted:
    booster: xgb.Booster
    params: dict
    rounds: int
    search: dict


def _dmatrix(X: np.ndarray, y: np.ndarray, names: list[str]) -> xgb.DMatrix:
    return xgb.DMatrix(X, label=y, feature_names=names)


def fit(
    X: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    trials: int,
    timeout_s: float,
    seed: int,
    traffic: np.ndarray | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> Fitted:
    """The challenger's booster: the default parameters, or the best of ``trials`` Optuna trials
    (then fitted again on all of ``X``). ``traffic`` marks the rows the validation split is drawn
    from (the recent traffic, not the original data mixed in); all rows by default."""
    defaults = {**DEFAULT_PARAMS, "seed": seed}
    search: dict[str, Any] = {"trials_requested": trials, "trials_run": 0, "timeout_s": timeout_s}
    if trials > 0:
        pool = np.flatnonzero(traffic) if traffic is not None else np.arange(len(y))
        smallest = int(np.bincount(y[pool], minlength=2).min())
        if smallest < 2 / VALIDATION_SHARE:
            search["skipped"] = f"too few rows of one class ({smallest}) for a validation split"
        else:
            best = _search(X, y, pool, names, defaults, trials, timeout_s, seed, say, search)
            if best is not None:
                say(
                    f"training the final model on {len(y)} rows (best of {search['trials_run']} trials: "
                    f"validation ROC-AUC {search['best_validation_roc_auc']:.3f})"
                )
                params, rounds = best
                booster = xgb.train(params, _dmatrix(X, y, names), num_boost_round=rounds)
                return Fitted(booster, params, rounds, search)
    say(f"training on {len(y)} rows with the default parameters")
    booster = xgb.train(defaults, _dmatrix(X, y, names), num_boost_round=NUM_ROUNDS)
    return Fitted(booster, defaults, NUM_ROUNDS, search)


def _search(
    X: np.ndarray,
    y: np.ndarray,
    pool: np.ndarray,
    names: list[str],
    defaults: dict,
    trials: int,
    timeout_s: float,
    seed: int,
    say: Callable[[str], None],
    search: dict,
) -> tuple[dict, int] | None:
    import optuna  # only a search needs it

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _, va = train_test_split(pool, test_size=VALIDATION_SHARE, stratify=y[pool], random_state=seed)
    tr = np.setdiff1d(np.arange(len(y)), va)
    dtrain, dval = _dmatrix(X[tr], y[tr], names), _dmatrix(X[va], y[va], names)

    def objective(trial: optuna.Trial) -> float:
        params = {
            **defaults,
            "max_depth": trial.suggest_int("max_depth", 3, 8),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 20.0, log=True),
            "subsample": trial.suggest_float("subsample", 0.6, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.6, 1.0),
        }
        rounds = trial.suggest_int("num_boost_round", MIN_ROUNDS, MAX_ROUNDS, step=50)
        booster = xgb.train(params, dtrain, num_boost_round=rounds)
        return float(roc_auc_score(y[va], booster.predict(dval)))

    def progress(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        done = trial.number + 1
        if done >= trials:
            return
        finished = [t.value for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        best = f" (best validation ROC-AUC so far {max(finished):.3f})" if finished else ""  # type: ignore[type-var]
        say(f"training: trial {done + 1} of {trials}{best}")

    # TPE samples at random for its first n_startup_trials; with a small budget, half of it.
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(1, min(10, trials // 2)))
    study = optuna.create_study(direction="maximize", sampler=sampler)
    # Trial 1 is the default parameters (app.ml.boosting): the search's pick is never worse than them on validation.
    study.enqueue_trial({**{k: defaults[k] for k in SEARCHED}, "num_boost_round": NUM_ROUNDS})
    started = time.perf_counter()
    say(f"training: trial 1 of {trials}")
    study.optimize(objective, n_trials=trials, timeout=timeout_s, callbacks=[progress])
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    search.update(
        trials_run=len(done),
        seconds=round(time.perf_counter() - started, 2),
        validation_rows=len(va),
        validation="a stratified 20% of the training traffic (never the hold-out, never the original data)",
        sampler=f"TPE (seed {seed})",
    )
    if not done:
        search["skipped"] = "no trial finished"
        return None
    best = max(done, key=lambda t: float(t.value or 0.0))
    params = dict(best.params)
    rounds = int(params.pop("num_boost_round"))
    search.update(
        best_trial=best.number + 1,
        best_validation_roc_auc=round(float(best.value or 0.0), 6),
        default_validation_roc_auc=round(float(done[0].value or 0.0), 6),
        best_params=best.params,
    )
    return {**defaults, **params}, rounds


SEARCHED = ("max_depth", "learning_rate", "min_child_weight", "subsample", "colsample_bytree")
