"""Champion against challenger on the same requests, once per cycle of a model that has a challenger.

``run`` reads as its steps: the model's stages (no challenger: the gate's note
is resolved and nothing else happens); the pairs of both windows
(``worker.pairs``), as the model's own cycle reads them: the drift window's
(``WORKER_WINDOW_MINUTES``; their count is ``n_paired``) and the label window's
labelled ones (``WORKER_LABEL_WINDOW_MINUTES``; ``n_labelled``); each version's
score reference; the comparison's details (``worker.side_by_side``); the
gate's verdict (``worker.gate``); then the comparison stored and the gate's
acts, one transaction with the model's row locked. ``window_start`` is the
earlier start of the two windows, ``window_end`` the cycle's time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import RegisteredModel, VersionComparison
from worker import gate, performance
from worker.config import WorkerSettings
from worker.pairs import Pairs, load_pairs
from worker.side_by_side import ScoreReference, describe
from worker.stats import Thresholds
from worker.targets import BrokenReference, Targets

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Stages:
    """A model's champion and its challenger, and how the challenger is served (shadow or canary)."""

    model: str
    champion: str
    challenger: str
    mode: str


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
    stages = read_stages(engine, model)
    if stages is None:
        clear_gate_note(engine, model, now)
        return None
    drift_start = now - timedelta(minutes=settings.window_minutes)
    label_start = now - timedelta(minutes=settings.label_window_minutes)
    recent, labelled = read_pairs(engine, stages, drift_start, label_start, now, settings.max_rows)
    versions = (stages.champion, stages.challenger)
    references = {v: score_reference(engine, targets, thresholds, model, v) for v in versions}
    details = describe(
        stages.champion,
        stages.challenger,
        recent,
        labelled,
        references,
        settings.min_samples,
        costs,
        min(drift_start, label_start),
        now,
    )
    verdict = judge(details, labelled.n, settings)
    result = store_and_gate(engine, stages, recent.n, labelled.n, details, verdict, settings.auto_promote, now)
    result.elapsed_s = time.perf_counter() - started
    log_comparison(result)
    return result


def read_stages(engine: Engine, model: str) -> Stages | None:
    """The model's champion and challenger; None when it has no challenger on a stage."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                RegisteredModel.champion_version, RegisteredModel.challenger_version, RegisteredModel.challenger_mode
            ).where(RegisteredModel.name == model)
        ).first()
    if row is None or not (row.champion_version and row.challenger_version and row.challenger_mode):
        return None
    return Stages(model, row.champion_version, row.challenger_version, row.challenger_mode)


def clear_gate_note(engine: Engine, model: str, now: datetime) -> None:
    with Session(engine) as session, session.begin():
        gate.clear_note(session, model, now)


def read_pairs(
    engine: Engine, stages: Stages, drift_start: datetime, label_start: datetime, now: datetime, max_rows: int
) -> tuple[Pairs, Pairs]:
    """The drift window's pairs and the label window's labelled pairs."""
    versions = (stages.model, stages.champion, stages.challenger)
    with engine.connect() as conn:
        recent = load_pairs(conn, *versions, drift_start, now, max_rows=max_rows)
        labelled = load_pairs(conn, *versions, label_start, now, labelled=True, max_rows=max_rows)
    return recent, labelled


def score_reference(
    engine: Engine, targets: Targets, thresholds: Thresholds, model: str, version: str
) -> ScoreReference | None:
    """The version's score reference, or None (logged) when it has none the worker can use."""
    try:
        target = targets.get(engine, model, version)
    except BrokenReference as exc:
        log.warning("%s: no prediction drift for %s in the comparison: %s", model, version, exc)
        return None
    if target.version != version:  # the version has no reference of its own (another one stood in)
        log.warning("%s: no prediction drift for %s in the comparison: it has no reference", model, version)
        return None
    name = target.scope.score_name
    return ScoreReference(target.reference[name], name, thresholds.for_feature(name))


def judge(details: dict, n_labelled: int, settings: WorkerSettings) -> gate.Verdict:
    """The gate's verdict on the comparison; its entry is added to the details."""
    verdict = gate.judge(
        n_labelled, details["auc_diff"], settings.auto_promote, settings.promote_min_labels, settings.promote_margin
    )
    details["gate"] = gate.as_details(verdict, settings.auto_promote)
    return verdict


def store_and_gate(
    engine: Engine,
    stages: Stages,
    n_paired: int,
    n_labelled: int,
    details: dict,
    verdict: gate.Verdict,
    auto_promote: bool,
    now: datetime,
) -> Comparison:
    """Store the comparison and let the gate act on it, with the model's row locked: only while its
    stages are still the ones compared, and only with ``AUTO_PROMOTE`` on (off: the note resolved)."""
    model, champion, challenger = stages.model, stages.champion, stages.challenger
    with Session(engine) as session, session.begin():
        row = session.scalar(select(RegisteredModel).where(RegisteredModel.name == model).with_for_update())
        stored = VersionComparison(
            model_name=model,
            computed_at=now,
            champion_version=champion,
            challenger_version=challenger,
            mode=stages.mode,
            n_paired=n_paired,
            n_labelled=n_labelled,
            details=details,
        )
        session.add(stored)
        session.flush()
        result = Comparison(stored.id, model, champion, challenger, stages.mode, n_paired, n_labelled, details, verdict)
        if not auto_promote:
            gate.clear_note(session, model, now)
        elif row is None or (row.champion_version, row.challenger_version) != (champion, challenger):
            log.info("%s: the stages changed while comparing %s with %s: the gate waits", model, champion, challenger)
        else:
            evidence = {"comparison_id": stored.id, "n_labelled": n_labelled, "auc_diff": details["auc_diff"]}
            acted = gate.act(session, row, verdict, champion, challenger, evidence, now)
            result.promoted, result.event = acted.promoted, acted.event
    return result


def log_comparison(result: Comparison) -> None:
    diff = result.details["auc_diff"]
    gain = "n/a" if diff["estimate"] is None else f"{diff['estimate']:+.3f} [{diff['low']:+.3f}, {diff['high']:+.3f}]"
    log.info(
        "%s: %s against %s (%s): %d pairs, %d labelled, ROC-AUC gain %s, gate %s (%.2f s)",
        result.model,
        result.challenger,
        result.champion,
        result.mode,
        result.n_paired,
        result.n_labelled,
        gain,
        result.verdict.decision + ("d" if result.promoted else ""),
        result.elapsed_s,
    )
