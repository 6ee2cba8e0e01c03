"""Champion against challenger on the same requests, once per cycle of a model that has a challenger.

Every request of a model with a challenger is scored by both versions: the
answered prediction ``p`` (``shadow_of`` null) and the shadow row ``s`` of the
other version (``s.shadow_of = p.id``, same ``created_at``). In shadow mode
the champion answers and the challenger shadows; as a canary the challenger
answers its share and the champion shadows those requests, so which side of a
pair is the champion is read from the rows' versions. Only pairs of exactly
the current champion and challenger count. Labels name the answered
prediction, so a pair's label is ``p``'s.

Two reads, as the model's own cycle reads: the pairs of the drift window
(``WORKER_WINDOW_MINUTES``; their count is ``n_paired``) give each version's
score histogram, positive rate, prediction drift (its scores against *its own*
reference, as the cycle judges the score), estimated performance (CBPE,
``worker.performance.estimated``) and the agreement of the two decisions; the
labelled pairs of the label window (``WORKER_LABEL_WINDOW_MINUTES``; their count
is ``n_labelled``) give realized performance, the same rows for both versions,
and the ROC-AUC difference (challenger minus champion) with a 95% paired
bootstrap interval. ``window_start`` is the earlier start of the two windows,
``window_end`` the cycle's time.

The bootstrap resamples the labelled pairs (at most ``BOOTSTRAP_MAX_ROWS``,
drawn with a fixed seed) with the same weights for both versions: a random
weight per row and resample, Poisson(1) as in the Poisson bootstrap (Hanley
and MacGibbon 2006, a resample drawn with replacement being the same but for
its size) from one random byte each; each resample's ROC-AUC of both
versions is a weighted Mann-Whitney count computed as two sparse-matrix
products per version (no sort per resample).

The promotion gate (``worker.gate``) judges the stored comparison; the
comparison and the gate's acts are one transaction with the model's row locked.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from scipy import sparse
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from driftwatch_core import artifacts
from driftwatch_core.db.models import GroundTruth, Prediction, RegisteredModel, VersionComparison
from worker import gate, performance
from worker.config import WorkerSettings
from worker.drift import FeatureDrift, evaluate_feature
from worker.stats import Thresholds
from worker.targets import BrokenReference, Targets
from worker.window import read_frame, sample_filter

log = logging.getLogger(__name__)

BOOTSTRAP_RESAMPLES = 1_000
BOOTSTRAP_MAX_ROWS = 20_000
BOOTSTRAP_SEED = 20_261_201
CONFIDENCE = 0.95
_CHUNK = 100  # resamples per pass: 20,000 rows x 100 float32 weights = 8 MB
HISTOGRAM_EDGES = np.linspace(0.0, 1.0, 11)


# --- reading the pairs -------------------------------------------------------------------


@dataclass(frozen=True)
class Pairs:
    """Paired scores and decisions of the two versions (maybe a sample), and their true count."""

    champion_scores: np.ndarray
    champion_decisions: np.ndarray
    challenger_scores: np.ndarray
    challenger_decisions: np.ndarray
    labels: np.ndarray | None  # bools, when read with labels
    n: int  # every pair of the window

    def __len__(self) -> int:
        return len(self.champion_scores)


def load_pairs(
    conn,
    model: str,
    champion: str,
    challenger: str,
    start: datetime,
    end: datetime,
    labelled: bool = False,
    max_rows: int | None = None,
) -> Pairs:
    """The (answered, shadow) pairs of ``model`` in [start, end) whose versions are exactly
    ``champion`` and ``challenger`` (either answering); with ``labelled`` only those whose
    answered prediction has a label, and the label. When the window holds more than
    ``max_rows`` answered rows, a uniform random sample of about ``max_rows`` of them is read
    (``n`` still counts every pair)."""
    p, s = aliased(Prediction, name="p"), aliased(Prediction, name="s")
    answered = [
        p.model_name == model,
        p.shadow_of.is_(None),
        p.created_at >= start,
        p.created_at < end,
        or_(p.model_version == champion, p.model_version == challenger),
    ]
    where = [
        *answered,
        or_(
            and_(p.model_version == champion, s.model_version == challenger),
            and_(p.model_version == challenger, s.model_version == champion),
        ),
    ]
    # A shadow row has its answered row's model and created_at: joined on them too, each answered
    # row finds its shadow by one probe of the (model_name, created_at) index, whatever the plan
    # (on shadow_of alone, a nested loop from underestimated recent rows rescans the window per row).
    on = and_(s.shadow_of == p.id, s.model_name == p.model_name, s.created_at == p.created_at)
    stmt = (
        select(
            (p.model_version == champion).label("a"),  # the answered row is the champion's
            p.probability.label("pp"),
            p.is_fraud.label("pd"),
            s.probability.label("sp"),
            s.is_fraud.label("sd"),
        )
        .select_from(p)
        .join(s, on)
    )
    counted = select(func.count()).select_from(p).join(s, on)
    if labelled:
        stmt = stmt.join(GroundTruth, GroundTruth.prediction_id == p.id).add_columns(GroundTruth.label.label("y"))
        counted = counted.join(GroundTruth, GroundTruth.prediction_id == p.id)
    # The answered rows bound the pairs (one index range, no join): most windows are read whole
    # and counted as read; only above ``max_rows`` is the exact count of pairs queried.
    bound = int(conn.execute(select(func.count()).select_from(p).where(*answered)).scalar_one())
    share = min(1.0, max_rows / bound) if max_rows and bound else 1.0
    frame = read_frame(conn, stmt.where(*where, *sample_filter(conn, share)))
    total = len(frame) if share >= 1 else int(conn.execute(counted.where(*where)).scalar_one())
    answered_by_champion = frame["a"].to_numpy(dtype=bool)
    pp, sp = frame["pp"].to_numpy(dtype=float), frame["sp"].to_numpy(dtype=float)
    pd_, sd = frame["pd"].to_numpy(dtype=bool), frame["sd"].to_numpy(dtype=bool)
    return Pairs(
        champion_scores=np.where(answered_by_champion, pp, sp),
        champion_decisions=np.where(answered_by_champion, pd_, sd),
        challenger_scores=np.where(answered_by_champion, sp, pp),
        challenger_decisions=np.where(answered_by_champion, sd, pd_),
        labels=frame["y"].to_numpy(dtype=bool) if labelled else None,
        n=total,
    )


# --- the paired bootstrap of the ROC-AUC difference --------------------------------------


#: Bootstrap weights from one random byte: 0..5 with counts 94, 95, 46, 16, 4, 1 of 256, which
#: is Poisson(1) rounded to 1/256 with the mean and the variance kept exactly 1 (what a
#: weighted bootstrap needs of its weights).
_WEIGHTS = np.repeat(np.arange(6, dtype=np.float32), [94, 95, 46, 16, 4, 1])


@dataclass(frozen=True)
class _AucParts:
    """One version's scores as two sparse maps from rows to the unique positive scores:
    ``group`` (positive row -> its score's rank) and ``below`` (negative row -> half at the
    count of positive scores below it, half at the count at or below it)."""

    group: sparse.csr_matrix
    below: sparse.csr_matrix


def _auc_parts(scores: np.ndarray, labels: np.ndarray) -> _AucParts:
    n = len(labels)
    pos, neg = np.flatnonzero(labels), np.flatnonzero(~labels)
    unique = np.unique(scores[pos])
    m = len(unique)
    group = sparse.csr_matrix(
        (np.ones(len(pos), np.float32), (np.searchsorted(unique, scores[pos]), pos)), shape=(m, n)
    )
    lo = np.searchsorted(unique, scores[neg], "left")
    hi = np.searchsorted(unique, scores[neg], "right")  # > lo where a positive ties the negative
    below = sparse.csr_matrix(
        (np.full(2 * len(neg), 0.5, np.float32), (np.concatenate([lo, hi]), np.tile(neg, 2))), shape=(m + 1, n)
    )
    return _AucParts(group, below)


def _weighted_auc(parts: _AucParts, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC under each column of row weights (rows x resamples): the weighted share of
    (positive, negative) pairs the positive outranks, ties counting one half."""
    per_group = parts.group @ weights  # weight of the positives at each unique score
    above = np.zeros((per_group.shape[0] + 1, per_group.shape[1]))
    above[:-1] = np.cumsum(per_group[::-1], axis=0)[::-1]  # weight of positives at or above each
    negatives = parts.below @ weights  # weight of the negatives per position among the positives
    wins = np.einsum("kb,kb->b", above, negatives)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wins / (above[0] * negatives.sum(axis=0))


def auc_difference(
    champion_scores: np.ndarray,
    challenger_scores: np.ndarray,
    labels: np.ndarray,
    resamples: int = BOOTSTRAP_RESAMPLES,
    max_rows: int = BOOTSTRAP_MAX_ROWS,
    seed: int = BOOTSTRAP_SEED,
) -> dict:
    """Challenger's ROC-AUC minus the champion's on the same labelled rows, with a 95%
    percentile interval from a paired bootstrap (the same resampled rows for both versions).
    Above ``max_rows`` rows, a sample of ``max_rows`` (fixed seed) is used for all of it."""
    labels = np.asarray(labels, dtype=bool)
    rng = np.random.default_rng(seed)
    if len(labels) > max_rows:
        keep = np.sort(rng.choice(len(labels), max_rows, replace=False))
        champion_scores, challenger_scores, labels = champion_scores[keep], challenger_scores[keep], labels[keep]
    n = len(labels)
    empty = {"estimate": None, "low": None, "high": None, "confidence": CONFIDENCE, "resamples": 0, "n": n}
    if not labels.any() or labels.all():
        return empty
    champion, challenger = _auc_parts(champion_scores, labels), _auc_parts(challenger_scores, labels)
    ones = np.ones((n, 1), dtype=np.float32)
    estimate = float(_weighted_auc(challenger, ones)[0] - _weighted_auc(champion, ones)[0])
    diffs = []
    buffer = np.empty((n, _CHUNK), dtype=np.float32)
    for done in range(0, resamples, _CHUNK):
        b = min(_CHUNK, resamples - done)
        weights = buffer[:, :b]
        np.take(_WEIGHTS, np.frombuffer(rng.bytes(n * b), dtype=np.uint8).reshape(n, b), out=weights)
        diffs.append(_weighted_auc(challenger, weights) - _weighted_auc(champion, weights))
    draws = np.concatenate(diffs)
    draws = draws[np.isfinite(draws)]  # a resample without one of the classes has no ROC-AUC
    if not len(draws):
        return empty
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return {
        "estimate": estimate,
        "low": float(low),
        "high": float(high),
        "confidence": CONFIDENCE,
        "resamples": len(draws),
        "n": n,
    }


# --- one version's side ------------------------------------------------------------------


def _number(x: Any) -> float | None:
    """A JSON-ready float: None for None and NaN."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _pick(metrics: Mapping[str, Any] | None, keys: tuple[str, ...]) -> dict | None:
    if metrics is None:
        return None
    return {k: (int(metrics[k]) if k == "n_rows" else _number(metrics.get(k))) for k in keys}


def _drift_of(result: FeatureDrift | None) -> dict:
    if result is None:
        return {"psi": None, "ks_statistic": None, "p_value": None, "drifted": None}
    return {
        "psi": _number(result.psi),
        "ks_statistic": _number(result.statistic),
        "p_value": _number(result.p_value),
        "drifted": bool(result.drifted),
    }


@dataclass(frozen=True)
class ScoreReference:
    """What a version's score is judged against: its reference entry (prepared) and thresholds."""

    entry: Mapping[str, Any]
    name: str
    thresholds: Mapping[str, float]


def version_side(
    version: str,
    scores: np.ndarray,
    decisions: np.ndarray,
    n_scored: int,
    labelled_scores: np.ndarray,
    labelled_decisions: np.ndarray,
    labels: np.ndarray,
    reference: ScoreReference | None,
    min_samples: int,
    costs: performance.Costs,
) -> dict:
    """One version's entry of the comparison's details."""
    counts, _ = np.histogram(np.clip(scores, 0.0, 1.0), bins=HISTOGRAM_EDGES)
    drift = None
    if reference is not None and len(scores) >= min_samples:
        drift = evaluate_feature(reference.name, "numeric", reference.entry, scores, reference.thresholds)
    realized = None
    if len(labels):
        metrics = performance.realized(
            labelled_scores, labelled_decisions, labels, np.empty(0), float(len(labels)), costs
        )
        realized = _pick(metrics, ("n_rows", "roc_auc", "precision", "recall", "f1"))
    estimated = None
    if len(scores):
        estimated = _pick(performance.estimated(scores, decisions, costs), ("roc_auc", "precision", "recall", "f1"))
    return {
        "version": version,
        "n_scored": int(n_scored),
        "positive_rate": float(np.mean(decisions)) if len(decisions) else None,
        "score_histogram": {"edges": [float(e) for e in HISTOGRAM_EDGES], "counts": [int(c) for c in counts]},
        "prediction_drift": _drift_of(drift),
        "realized": realized,
        "estimated": estimated,
    }


def compare(
    champion: str,
    challenger: str,
    recent: Pairs,
    labelled: Pairs,
    references: Mapping[str, ScoreReference | None],
    min_samples: int,
    costs: performance.Costs,
    window_start: datetime,
    window_end: datetime,
) -> dict:
    """The comparison's details (without the gate's entry): both versions, agreement, ROC-AUC gain."""
    labels = labelled.labels if labelled.labels is not None else np.zeros(0, dtype=bool)
    sides = {}
    for side, version, scores, decisions, l_scores, l_decisions in (
        (
            "champion",
            champion,
            recent.champion_scores,
            recent.champion_decisions,
            labelled.champion_scores,
            labelled.champion_decisions,
        ),
        (
            "challenger",
            challenger,
            recent.challenger_scores,
            recent.challenger_decisions,
            labelled.challenger_scores,
            labelled.challenger_decisions,
        ),
    ):
        sides[side] = version_side(
            version,
            scores,
            decisions,
            recent.n,
            l_scores,
            l_decisions,
            labels,
            references.get(version),
            min_samples,
            costs,
        )
    agreement = float(np.mean(recent.champion_decisions == recent.challenger_decisions)) if len(recent) else None
    return {
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        **sides,
        "agreement": agreement,
        "auc_diff": auc_difference(labelled.champion_scores, labelled.challenger_scores, labels),
    }


# --- one cycle's comparison --------------------------------------------------------------


@dataclass
class Comparison:
    """What one cycle's comparison stored and what the gate did."""

    id: int
    model: str
    champion: str
    challenger: str
    mode: str
    n_paired: int
    n_labelled: int
    details: dict
    verdict: gate.Verdict
    promoted: bool = False
    event: str | None = None  # the gate event's text, when one was written
    elapsed_s: float = 0.0


def _score_reference(
    engine: Engine, targets: Targets, thresholds: Thresholds, model: str, version: str
) -> ScoreReference | None:
    """The version's score reference, or None (logged) when it has none the worker can use."""
    try:
        target = targets.get(engine, model, version)
    except (BrokenReference, artifacts.ArtifactNotFound) as exc:
        log.warning("%s: no prediction drift for %s in the comparison: %s", model, version, exc)
        return None
    if target.version != version:  # a fraud version with no reference of its own
        log.warning("%s: no prediction drift for %s in the comparison: it has no reference", model, version)
        return None
    name = target.scope.score_name
    return ScoreReference(target.reference[name], name, thresholds.for_feature(name))


def run(
    engine: Engine,
    settings: WorkerSettings,
    targets: Targets,
    thresholds: Thresholds,
    costs: performance.Costs,
    model: str,
    now: datetime,
) -> Comparison | None:
    """Compare ``model``'s champion and challenger and let the gate act; None (and the gate's
    note resolved) when the model has no challenger."""
    started = time.perf_counter()
    with engine.connect() as conn:
        stage = conn.execute(
            select(
                RegisteredModel.champion_version, RegisteredModel.challenger_version, RegisteredModel.challenger_mode
            ).where(RegisteredModel.name == model)
        ).first()
    if stage is None or not (stage.champion_version and stage.challenger_version and stage.challenger_mode):
        with Session(engine) as session, session.begin():
            gate.clear_note(session, model, now)
        return None
    champion, challenger, mode = stage.champion_version, stage.challenger_version, stage.challenger_mode
    drift_start = now - timedelta(minutes=settings.window_minutes)
    label_start = now - timedelta(minutes=settings.label_window_minutes)
    with engine.connect() as conn:
        recent = load_pairs(conn, model, champion, challenger, drift_start, now, max_rows=settings.max_rows)
        labelled = load_pairs(
            conn, model, champion, challenger, label_start, now, labelled=True, max_rows=settings.max_rows
        )
    references = {v: _score_reference(engine, targets, thresholds, model, v) for v in (champion, challenger)}
    details = compare(
        champion,
        challenger,
        recent,
        labelled,
        references,
        settings.min_samples,
        costs,
        min(drift_start, label_start),
        now,
    )
    verdict = gate.judge(
        labelled.n, details["auc_diff"], settings.auto_promote, settings.promote_min_labels, settings.promote_margin
    )
    details["gate"] = gate.as_details(verdict, settings.auto_promote)
    with Session(engine) as session, session.begin():
        row = session.scalar(select(RegisteredModel).where(RegisteredModel.name == model).with_for_update())
        stored = VersionComparison(
            model_name=model,
            computed_at=now,
            champion_version=champion,
            challenger_version=challenger,
            mode=mode,
            n_paired=recent.n,
            n_labelled=labelled.n,
            details=details,
        )
        session.add(stored)
        session.flush()
        result = Comparison(stored.id, model, champion, challenger, mode, recent.n, labelled.n, details, verdict)
        unchanged = row is not None and (row.champion_version, row.challenger_version) == (champion, challenger)
        if not settings.auto_promote:
            gate.clear_note(session, model, now)
        elif not unchanged:
            log.info("%s: the stages changed while comparing %s with %s: the gate waits", model, champion, challenger)
        else:
            assert row is not None
            acted = gate.act(
                session,
                row,
                verdict,
                champion,
                challenger,
                {"comparison_id": stored.id, "n_labelled": labelled.n, "auc_diff": details["auc_diff"]},
                now,
            )
            result.promoted, result.event = acted.promoted, acted.event
    result.elapsed_s = time.perf_counter() - started
    diff = details["auc_diff"]
    log.info(
        "%s: %s against %s (%s): %d pairs, %d labelled, ROC-AUC gain %s, gate %s (%.2f s)",
        model,
        challenger,
        champion,
        mode,
        recent.n,
        labelled.n,
        "n/a" if diff["estimate"] is None else f"{diff['estimate']:+.3f} [{diff['low']:+.3f}, {diff['high']:+.3f}]",
        verdict.decision + ("d" if result.promoted else ""),
        result.elapsed_s,
    )
    return result
