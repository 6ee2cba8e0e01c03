"""Retrain a challenger for a model: the steps from the champion's contract to a prepared version.

``retrain`` reads as its steps:

1. ``champion_of``: the champion's schema, threshold, label column and artifact are the
   contract: the challenger takes the same inputs, in the same order, encoded the same way
   (``driftwatch_core.encoding``), and is judged at the same threshold;
2. ``_labelled_traffic``: the window's labelled traffic, checked against that schema
   (``data``), split by time: the newest ``RETRAIN_HOLDOUT_SHARE`` is the hold-out;
3. ``_training_set``: the rest of the traffic plus rows of the champion's reference table
   (the original data kept with its version), at most ``RETRAIN_REFERENCE_SHARE`` of it;
4. ``search.fit``: XGBoost with the default parameters or the best of an Optuna search;
5. ``_evaluate``: on the hold-out, the challenger's ROC-AUC against the champion's realized
   ROC-AUC on the same rows (the probabilities the champion stored for them), and
   precision, recall and F1 of both at the threshold;
6. ``_prepare``: the registry's own ``prepare`` checks the artifact (XGBoost JSON) and the
   training table (Parquet: the features and the label) and computes the reference
   distributions; the version's metrics are the hold-out's (not in-sample ones), its
   source says what it was made from (``_source``).

**Threshold**: the champion's is kept, not chosen again. It stands for a business
decision (an expected-cost rule with its unit costs, or the threshold an uploader
chose) that labelled traffic alone does not tell us; a threshold chosen on a
validation split of a few hundred rows with a few percent positives would be noise;
and champion and challenger judged at one threshold give decisions the shadow
comparison and the promotion gate can set side by side.
"""

from __future__ import annotations

import io
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import Conflict
from app.ml.metrics import evaluate
from app.registry import formats, registration
from app.registry.lookup import registered_model
from app.retrain import data
from app.retrain.data import Traffic, Window
from app.retrain.search import Fitted, fit
from driftwatch_core.db.models import ModelVersion, Prediction
from driftwatch_core.encoding import encode_columns, encode_rows
from driftwatch_core.features import Feature, schema_from_dicts

log = logging.getLogger(__name__)

TRAINER = "app.retrain"
DEFAULT_SEED = 42
DEFAULT_LABEL = "label"
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
    """What a retrain takes from the champion: its contract, its artifact and its reference rows."""

    model: str
    version: str
    format: str
    artifact: bytes
    schema: tuple[Feature, ...]
    threshold: float
    label_column: str
    reference_table: bytes | None
    reference_label: str | None


class Reporter:
    """Where a retrain says how far it is (a job row; the CLI prints too)."""

    def progress(self, text: str) -> None:  # pragma: no cover - the base does nothing
        pass

    def evaluating(self, text: str) -> None:  # pragma: no cover
        pass


def champion_of(session: Session, name: str) -> Champion:
    model = registered_model(session, name)
    if model.champion_version is None:
        raise Conflict(f"model {name!r} has no champion version to retrain")
    row = session.get(ModelVersion, model.champion_version)
    if row is None or row.artifact is None:
        raise Conflict(f"the champion {model.champion_version} of {name!r} has no stored artifact to compare with")
    schema = schema_from_dicts(row.feature_schema)
    label = row.label_column or DEFAULT_LABEL
    while any(f.name == label for f in schema):
        label += "_"
    return Champion(
        model=name,
        version=row.version,
        format=row.format,
        artifact=row.artifact,
        schema=schema,
        threshold=float(row.threshold),
        label_column=label,
        reference_table=row.reference_table,
        reference_label=row.label_column,
    )


# --- Step 2: the labelled traffic and its hold-out --------------------------------------------


@dataclass
class Labelled:
    traffic: Traffic
    train: Traffic
    holdout: Traffic


def _labelled_traffic(factory: sessionmaker[Session], champion: Champion, options: Options) -> Labelled:
    with factory() as session:
        traffic = data.load_traffic(session, champion.model, options.window, champion.schema, options.max_rows)
    counts = data.LabelCounts.of(traffic.labels.tolist(), options.holdout_share)
    data.check_enough(counts, champion.model, options.window, options.min_labels)
    cut = len(traffic) - counts.holdout_n
    return Labelled(traffic, traffic.take(slice(0, cut)), traffic.take(slice(cut, None)))


# --- Step 3: the training set -----------------------------------------------------------------


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray
    is_traffic: np.ndarray  # which rows are recent traffic (the search validates on those only)
    reference: data.ReferenceRows | None
    mix: dict


def _training_set(champion: Champion, train: Traffic, options: Options, reporter: Reporter) -> TrainingSet:
    """The training traffic plus up to ``reference_share`` of the set from the champion's reference rows."""
    share = options.reference_share
    wanted = math.floor(share / (1 - share) * len(train)) if share > 0 else 0
    reference = None
    if champion.reference_table is not None and champion.reference_label is not None and wanted > 0:
        reporter.progress(f"reading the champion's reference rows (up to {wanted})")
        reference = data.reference_rows(
            champion.reference_table, champion.schema, champion.reference_label, wanted, options.seed
        )
    X_parts, y_parts = [encode_rows(train.rows, champion.schema)], [train.labels]
    if reference is not None and len(reference.labels):
        X_parts.append(encode_columns(reference.columns, champion.schema))
        y_parts.append(reference.labels)
    X, y = np.vstack(X_parts), np.concatenate(y_parts)
    n_ref = len(y) - len(train)
    mix: dict[str, Any] = {
        "traffic_rows": len(train),
        "reference_rows": n_ref,
        "reference_share": round(n_ref / len(y), 4) if len(y) else 0.0,
        "reference_share_limit": share,
    }
    if reference is not None:
        mix["reference_available"] = reference.available
    else:
        mix["reference_note"] = data.no_reference_reason(champion.reference_table, champion.reference_label, share)
    return TrainingSet(X, y, np.arange(len(y)) < len(train), reference, mix)


# --- Step 5: the hold-out, both versions ---------------------------------------------------------


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


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat() if at is not None else None


def _evaluate(
    factory: sessionmaker[Session], champion: Champion, holdout: Traffic, fitted: Fitted, options: Options
) -> dict:
    X_hold = encode_rows(holdout.rows, champion.schema)
    p_new = fitted.booster.inplace_predict(X_hold)
    with factory() as session:
        p_old, how = champion_scores(session, champion, holdout, X_hold)
    challenger = _metrics(holdout.labels, p_new, champion.threshold)
    incumbent = _metrics(holdout.labels, p_old, champion.threshold)
    return {
        "rows": len(holdout),
        "positives": int(holdout.labels.sum()),
        "from": _iso(holdout.created_at[0]),
        "to": _iso(holdout.created_at[-1]),
        "share": options.holdout_share,
        "challenger_roc_auc": challenger["roc_auc"],
        "champion_roc_auc": incumbent["roc_auc"],
        "challenger": challenger,
        "champion": incumbent,
        "champion_scores": how,
    }


# --- Step 6: the version, through the registry -----------------------------------------------------


def training_table(champion: Champion, traffic: Traffic, reference: data.ReferenceRows | None) -> bytes:
    """The training rows (features and label) as Parquet: what ``prepare`` reads as the reference."""
    frames = [pd.DataFrame.from_records(traffic.rows, columns=[f.name for f in champion.schema])]
    frames[0][champion.label_column] = traffic.labels
    if reference is not None and len(reference.labels):
        ref = pd.DataFrame({f.name: reference.columns[f.name] for f in champion.schema})
        ref[champion.label_column] = reference.labels
        frames.append(ref)
    table = pd.concat(frames, ignore_index=True)
    for f in champion.schema:  # one type per column (JSON ints beside stored floats)
        if f.kind == "numeric":
            table[f.name] = table[f.name].astype(float)
        elif f.kind == "boolean":
            table[f.name] = table[f.name].astype(bool)
        else:
            table[f.name] = table[f.name].astype(str)
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _prepare(
    champion: Champion, fitted: Fitted, train: Traffic, training: TrainingSet, options: Options, job_id: int | None
) -> registration.Prepared:
    upload = registration.Upload(
        name=champion.model,
        artifact=bytes(fitted.booster.save_raw("json")),
        reference=training_table(champion, train, training.reference),
        reference_filename=f"retrain-{job_id or 'cli'}.parquet",
        schema=[f.to_dict() for f in champion.schema],
        label=champion.label_column,
        threshold=champion.threshold,
    )
    return registration.prepare(upload, seed=options.seed)


def _source(
    champion: Champion,
    labelled: Labelled,
    training: TrainingSet,
    fitted: Fitted,
    holdout: dict,
    options: Options,
    job_id: int | None,
    seconds: float,
) -> dict:
    """What the version was made from, kept in its ``source``."""
    window, traffic = options.window, labelled.traffic
    return {
        "trainer": TRAINER,
        "job_id": job_id,
        "champion": champion.version,
        "algorithm": f"XGBoost {xgb.__version__} gradient-boosted trees",
        "mix": training.mix,
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
        "holdout": holdout,
        "params": {**fitted.params, "num_boost_round": fitted.rounds},
        "trials": fitted.search,
        "threshold": {"value": champion.threshold, "rule": "the champion's threshold, kept"},
        "label": champion.label_column,
        "seed": options.seed,
        "training_rows": len(training.y),
        "training_seconds": seconds,
    }


# --- The whole retrain ----------------------------------------------------------------------------


@dataclass
class Outcome:
    prepared: registration.Prepared
    result: dict
    message: str


def retrain(
    factory: sessionmaker[Session], name: str, options: Options, reporter: Reporter, job_id: int | None = None
) -> Outcome:
    """Train and evaluate a challenger for model ``name``; the version is prepared, not saved.
    Raises ``TooFewLabels`` (or another ``DomainError``) with the reason when it cannot."""
    started = time.perf_counter()
    with factory() as session:
        champion = champion_of(session, name)
    reporter.progress(
        f"reading labelled predictions of {name} since {data.when(options.window.start, options.window.end)}"
    )
    labelled = _labelled_traffic(factory, champion, options)
    training = _training_set(champion, labelled.train, options, reporter)
    fitted = fit(
        training.X,
        training.y,
        [f.name for f in champion.schema],
        trials=options.trials,
        timeout_s=options.search_timeout_s,
        seed=options.seed,
        traffic=training.is_traffic,
        say=reporter.progress,
    )
    reporter.evaluating(f"evaluating on the hold-out ({len(labelled.holdout)} rows)")
    holdout = _evaluate(factory, champion, labelled.holdout, fitted, options)
    reporter.evaluating("registering the challenger in shadow")
    prepared = _prepare(champion, fitted, labelled.train, training, options, job_id)
    prepared.metrics = dict(holdout["challenger"])
    seconds = round(time.perf_counter() - started, 2)
    prepared.source = _source(champion, labelled, training, fitted, holdout, options, job_id, seconds)
    message = (
        f"retrained {prepared.version} registered in shadow: hold-out ROC-AUC {holdout['challenger_roc_auc']:.3f} "
        f"against the champion {champion.version}'s {holdout['champion_roc_auc']:.3f} "
        f"on the same {holdout['rows']} newest labelled predictions"
    )
    log.info("%s (%.1f s)", message, seconds)
    return Outcome(prepared=prepared, result={"version": prepared.version, **prepared.source}, message=message)


def default_window(minutes: float, now: datetime | None = None) -> Window:
    end = now or datetime.now(UTC)
    return Window(end - timedelta(minutes=minutes), end)
