"""Retrain a challenger for a model: read the data, fit XGBoost, evaluate on the hold-out, prepare the version.

The steps (``retrain``):

1. the champion's schema, threshold, label column and source are the contract:
   the challenger takes the same inputs, in the same order, encoded the same way
   (``app.ml.encoding``), and is judged at the same threshold;
2. labelled traffic of the window, checked against that schema (``data``), is split
   by time: the newest ``RETRAIN_HOLDOUT_SHARE`` is the hold-out;
3. the training set is the rest of the traffic plus, where it can be generated again,
   rows of the original training data, at most ``RETRAIN_REFERENCE_SHARE`` of it;
4. XGBoost (hist, one thread) with the parameters of ``app.ml.train``, or, with
   ``trials > 0``, the best of an Optuna TPE search (seeded; trial 1 is the
   default parameters, so the pick is never worse than them on validation) over
   depth, learning rate, child weight, row and column sampling and rounds, scored
   by ROC-AUC on a stratified 20% of the training traffic (never the hold-out; the
   original rows only ever train, since the traffic is what the model will see);
   the final model is then fitted on the whole training set with the best choice;
5. on the hold-out: the challenger's ROC-AUC against the champion's realized ROC-AUC
   on the same rows (the probabilities the champion stored for them), and
   precision, recall and F1 of both at the threshold;
6. the registry's own ``prepare`` checks the artifact (XGBoost JSON) and the training
   table (Parquet: the features and the label) and computes the reference
   distributions; the version's metrics are the hold-out's (not in-sample ones),
   its source says what it was made from.

**Threshold**: the champion's is kept, not chosen again. It stands for a business
decision (the fraud model's expected-cost rule with its unit costs, or the
threshold an uploader chose) that labelled traffic alone does not tell us; a
threshold chosen on a validation split of a few hundred rows with a few percent
positives would be noise; and champion and challenger judged at one threshold
give decisions the shadow comparison and the promotion gate can set side by side.
"""

from __future__ import annotations

import io
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.ml.train import NUM_ROUNDS, PARAMS, evaluate
from app.registry import formats, service
from app.retrain import data
from app.retrain.data import Traffic, Window
from app.services.errors import Conflict, NotFound
from driftwatch_core.db.models import DEFAULT_MODEL, ModelVersion, Prediction, RegisteredModel
from driftwatch_core.encoding import encode_columns, encode_rows
from driftwatch_core.features import Feature, schema_from_dicts

log = logging.getLogger(__name__)

TRAINER = "app.retrain"
DEFAULT_PARAMS = {**PARAMS, "nthread": 1}
#: Boosting rounds the search chooses from (in steps of 50).
MIN_ROUNDS, MAX_ROUNDS = 100, 600
VALIDATION_SHARE = 0.2
DEFAULT_SEED = 42
_CHUNK = 1_000


@dataclass
class Options:
    trials: int
    window: Window
    reference_share: float
    holdout_share: float
    min_labels: int
    max_rows: int
    search_timeout_s: float
    seed: int = DEFAULT_SEED


@dataclass(frozen=True)
class Champion:
    """What a retrain takes from the champion: its contract and its artifact."""

    model: str
    version: str
    format: str
    artifact: bytes
    schema: tuple[Feature, ...]
    threshold: float
    label_column: str
    source: dict | None
    metrics: dict
    score_name: str


class Reporter:
    """Where a retrain says how far it is (a job row; the CLI prints too)."""

    def progress(self, text: str) -> None:  # pragma: no cover - the base does nothing
        pass

    def evaluating(self, text: str) -> None:  # pragma: no cover
        pass


def champion_of(session: Session, name: str) -> Champion:
    model = session.get(RegisteredModel, name)
    if model is None:
        raise NotFound(f"no model named {name!r}: GET /api/v1/models lists them")
    if model.champion_version is None:
        raise Conflict(f"model {name!r} has no champion version to retrain")
    row = session.get(ModelVersion, model.champion_version)
    if row is None or row.artifact is None:
        raise Conflict(f"the champion {model.champion_version} of {name!r} has no stored artifact to compare with")
    schema = schema_from_dicts(row.feature_schema)
    label = row.label_column or ("is_fraud" if name == DEFAULT_MODEL else "label")
    while any(f.name == label for f in schema):
        label += "_"
    reference = row.reference or {}
    return Champion(
        model=name,
        version=row.version,
        format=row.format,
        artifact=row.artifact,
        schema=schema,
        threshold=float(row.threshold),
        label_column=label,
        source=row.source,
        metrics=dict(row.metrics or {}),
        score_name=reference.get("score_name") or service.REGISTERED_SCORE_NAME,
    )


# --- Fitting ----------------------------------------------------------------------------------


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
    # Trial 1 is app.ml.train's parameters: the search's pick is never worse than them on validation.
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


# --- The champion on the hold-out ------------------------------------------------------------


def champion_scores(session: Session, champion: Champion, holdout: Traffic, X: np.ndarray) -> tuple[np.ndarray, dict]:
    """The champion's probability of every hold-out row: the one it answered with, else the one it
    scored in shadow, else (rows answered by another version it never scored) computed now."""
    p = np.full(len(holdout), np.nan)
    answered = np.array([v == champion.version for v in holdout.versions], dtype=bool)
    p[answered] = holdout.probabilities[answered]
    missing = [holdout.ids[i] for i in np.flatnonzero(~answered)]
    shadowed: dict[Any, float] = {}
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        query = select(Prediction.shadow_of, Prediction.probability).where(
            Prediction.shadow_of.in_(chunk), Prediction.model_version == champion.version
        )
        shadowed.update({row.shadow_of: row.probability for row in session.execute(query)})
    for i in np.flatnonzero(~answered):
        if holdout.ids[i] in shadowed:
            p[i] = shadowed[holdout.ids[i]]
    rest = np.isnan(p)
    if rest.any():
        p[rest] = formats.load(champion.artifact, champion.format).predict_proba(X[rest])
    how = {"answered": int(answered.sum()), "shadow": len(shadowed), "scored_now": int(rest.sum())}
    return p, how


def _metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    out = evaluate(y, p, threshold)
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in out.items()}


# --- The training table (the version's reference) -------------------------------------------


def training_table(
    champion: Champion,
    traffic: Traffic,
    reference: dict[str, np.ndarray] | None,
    reference_labels: np.ndarray | None,
) -> bytes:
    """The training rows (features and label) as Parquet: what ``prepare`` reads as the reference."""
    frames = [pd.DataFrame.from_records(traffic.rows, columns=[f.name for f in champion.schema])]
    frames[0][champion.label_column] = traffic.labels
    if reference is not None and reference_labels is not None and len(reference_labels):
        ref = pd.DataFrame({f.name: reference[f.name] for f in champion.schema})
        ref[champion.label_column] = reference_labels
        frames.append(ref)
    table = pd.concat(frames, ignore_index=True)
    for f in champion.schema:  # one type per column (JSON ints beside generated floats)
        if f.kind == "numeric":
            table[f.name] = table[f.name].astype(float)
        elif f.kind == "boolean":
            table[f.name] = table[f.name].astype(bool)
        else:
            table[f.name] = table[f.name].astype(str)
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


# --- The whole retrain ------------------------------------------------------------------------


@dataclass
class Outcome:
    prepared: service.Prepared
    result: dict
    message: str


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at is not None else None


def retrain(
    factory: sessionmaker[Session], name: str, options: Options, reporter: Reporter, job_id: int | None = None
) -> Outcome:
    """Train and evaluate a challenger for model ``name``; the version is prepared, not saved.
    Raises ``TooFewLabels`` (or another ``DomainError``) with the reason when it cannot."""
    started = time.perf_counter()
    with factory() as session:
        champion = champion_of(session, name)
    window = options.window
    reporter.progress(f"reading labelled predictions of {name} since {data.when(window.start, window.end)}")
    with factory() as session:
        traffic = data.load_traffic(session, name, window, champion.schema, options.max_rows)
    counts = data.LabelCounts.of(traffic.labels.tolist(), options.holdout_share)
    data.check_enough(counts, name, window, options.min_labels)

    n_hold = counts.holdout_n
    train, holdout = traffic.take(slice(0, len(traffic) - n_hold)), traffic.take(slice(len(traffic) - n_hold, None))
    names = [f.name for f in champion.schema]

    # The original training data, at most reference_share of the training set.
    origin = data.generator_origin(champion.source, champion.schema)
    share = options.reference_share
    wanted = math.floor(share / (1 - share) * len(train)) if share > 0 else 0
    ref_columns, ref_labels, available = None, None, 0
    if origin is not None and wanted > 0:
        reporter.progress(f"generating the original training data again (seed {origin['seed']})")
        ref_columns, ref_labels, available = data.reference_rows(origin, wanted, options.seed)
    n_ref = 0 if ref_labels is None else len(ref_labels)
    X_parts, y_parts = [encode_rows(train.rows, champion.schema)], [train.labels]
    if ref_columns is not None and ref_labels is not None and n_ref:
        X_parts.append(encode_columns(ref_columns, champion.schema))
        y_parts.append(ref_labels)
    X_train, y_train = np.vstack(X_parts), np.concatenate(y_parts)
    is_traffic = np.arange(len(y_train)) < len(train)

    fitted = fit(
        X_train,
        y_train,
        names,
        trials=options.trials,
        timeout_s=options.search_timeout_s,
        seed=options.seed,
        traffic=is_traffic,
        say=reporter.progress,
    )

    reporter.evaluating(f"evaluating on the hold-out ({len(holdout)} rows)")
    X_hold = encode_rows(holdout.rows, champion.schema)
    p_new = fitted.booster.inplace_predict(X_hold)
    with factory() as session:
        p_old, how = champion_scores(session, champion, holdout, X_hold)
    challenger_metrics = _metrics(holdout.labels, p_new, champion.threshold)
    champion_metrics = _metrics(holdout.labels, p_old, champion.threshold)

    reporter.evaluating("registering the challenger in shadow")
    artifact = bytes(fitted.booster.save_raw("json"))
    table = training_table(champion, train, ref_columns, ref_labels)
    upload = service.Upload(
        name=name,
        artifact=artifact,
        reference=table,
        reference_filename=f"retrain-{job_id or 'cli'}.parquet",
        schema=[f.to_dict() for f in champion.schema],
        label=champion.label_column,
        threshold=champion.threshold,
    )
    prepared = service.prepare(upload, seed=options.seed)
    if champion.score_name != service.REGISTERED_SCORE_NAME:  # the fraud model's score is fraud_probability
        reference = dict(prepared.reference)
        reference[champion.score_name] = reference.pop(service.REGISTERED_SCORE_NAME)
        reference["score_name"] = champion.score_name
        prepared.reference = reference
    metrics = dict(challenger_metrics)
    if "fraud_rate" not in champion.metrics:
        metrics["positive_rate"] = metrics.pop("fraud_rate")
    prepared.metrics = metrics

    mix: dict[str, Any] = {
        "traffic_rows": len(train),
        "reference_rows": n_ref,
        "reference_share": round(n_ref / (n_ref + len(train)), 4) if n_ref + len(train) else 0.0,
        "reference_share_limit": share,
        "reference_origin": origin,
    }
    if origin is None:
        mix["reference_note"] = data.no_reference_reason(champion.source, champion.schema)
    elif n_ref:
        mix["reference_available"] = available
    holdout_out = {
        "rows": len(holdout),
        "positives": int(holdout.labels.sum()),
        "from": _iso(holdout.created_at[0]),
        "to": _iso(holdout.created_at[-1]),
        "share": options.holdout_share,
        "challenger_roc_auc": challenger_metrics["roc_auc"],
        "champion_roc_auc": champion_metrics["roc_auc"],
        "challenger": challenger_metrics,
        "champion": champion_metrics,
        "champion_scores": how,
    }
    seconds = round(time.perf_counter() - started, 2)
    source = {
        "trainer": TRAINER,
        "job_id": job_id,
        "champion": champion.version,
        "algorithm": f"XGBoost {xgb.__version__} gradient-boosted trees",
        "mix": mix,
        "time_range": {
            "from": _iso(window.start),
            "to": _iso(window.end),
            "window_minutes": round(window.minutes, 3),
            "first_row": _iso(traffic.created_at[0]),
            "last_row": _iso(traffic.created_at[-1]),
        },
        "traffic": {
            "read": traffic.read,
            "dropped": traffic.dropped,
            "labelled": len(traffic),
            "capped_at": options.max_rows if traffic.read >= options.max_rows else None,
        },
        "holdout": holdout_out,
        "params": {**fitted.params, "num_boost_round": fitted.rounds},
        "trials": fitted.search,
        "threshold": {"value": champion.threshold, "rule": "the champion's threshold, kept"},
        "label": champion.label_column,
        "seed": options.seed,
        "training_rows": len(y_train),
        "training_seconds": seconds,
    }
    prepared.source = source
    message = (
        f"retrained {prepared.version} registered in shadow: hold-out ROC-AUC {challenger_metrics['roc_auc']:.3f} "
        f"against the champion {champion.version}'s {champion_metrics['roc_auc']:.3f} "
        f"on the same {len(holdout)} newest labelled predictions"
    )
    log.info("%s (%.1f s)", message, seconds)
    return Outcome(prepared=prepared, result={"version": prepared.version, **source}, message=message)


def default_window(minutes: float, now: datetime | None = None) -> Window:
    end = now or datetime.now(UTC)
    return Window(end - timedelta(minutes=minutes), end)
