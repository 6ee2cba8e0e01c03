"""The promotion gate: does the challenger beat the champion clearly enough to answer instead?

``judge`` (and ``decide``, its ``(decision, reason)``) is pure: with
``AUTO_PROMOTE`` on, a challenger is promoted when at least
``PROMOTE_MIN_LABELS`` labelled pairs were compared and the lower bound of the
95% bootstrap interval of its ROC-AUC gain over the champion (challenger minus
champion, on the same labelled requests) is above ``PROMOTE_MARGIN``;
otherwise the model holds. Every reason is a plain sentence.

``act`` carries a decision out in the caller's transaction, with the model's
row locked: the promotion (``driftwatch_core.stages.promote``, actor
``worker``), a ``gate`` event on the model's timeline only when the decision,
the kind of its reason or the versions compared change from the model's last
gate event (one per change, not one per cycle), and an ``info`` alert of kind
``promotion_gate`` per model holding the latest decision and reason (a note:
no drift or performance kind, resolved as soon as the model has no challenger
or the gate is off).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core import stages
from driftwatch_core.db.models import Alert, ModelEvent, RegisteredModel
from worker import alerts

log = logging.getLogger(__name__)

PROMOTE, HOLD = "promote", "hold"
NOTE = "promotion_gate"  # the alert kind of the gate's note
OFF_REASON = "automatic promotion is off (AUTO_PROMOTE=0)"


@dataclass(frozen=True)
class Verdict:
    decision: str  # promote | hold
    reason: str  # a plain sentence
    kind: str  # off | labels | no_auc | margin | clears: what the reason is about


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def judge(
    n_labelled: int, auc_diff: Mapping[str, Any] | None, enabled: bool, min_labels: int, margin: float
) -> Verdict:
    """The gate's decision on one comparison (``auc_diff``: estimate, low, high of the
    challenger's ROC-AUC minus the champion's, as ``worker.compare`` stores it)."""
    if not enabled:
        return Verdict(HOLD, OFF_REASON, "off")
    if n_labelled < min_labels:
        return Verdict(HOLD, f"only {n_labelled} of the {min_labels} labelled rows needed", "labels")
    diff = auc_diff or {}
    estimate, low, high = diff.get("estimate"), diff.get("low"), diff.get("high")
    if estimate is None or low is None or high is None:
        return Verdict(
            HOLD,
            f"ROC-AUC cannot be compared on the {n_labelled} labelled rows: they hold one class only",
            "no_auc",
        )
    gain = f"ROC-AUC gain {_signed(estimate)}, 95% CI [{_signed(low)}, {_signed(high)}]"
    if low <= margin:
        return Verdict(HOLD, f"{gain}: the lower bound is not above the margin {margin:.3f}", "margin")
    return Verdict(PROMOTE, f"{gain} clears the margin {margin:.3f}", "clears")


def decide(
    n_labelled: int, auc_diff: Mapping[str, Any] | None, enabled: bool, min_labels: int, margin: float
) -> tuple[str, str]:
    """``(decision, reason)``: "promote" or "hold", and why in one sentence."""
    verdict = judge(n_labelled, auc_diff, enabled, min_labels, margin)
    return verdict.decision, verdict.reason


def as_details(verdict: Verdict, enabled: bool) -> dict:
    """The comparison's ``gate`` entry."""
    return {"enabled": enabled, "decision": verdict.decision, "reason": verdict.reason}


def note_text(verdict: Verdict, champion: str, challenger: str) -> str:
    if verdict.decision == PROMOTE:
        return f"promote {challenger} over {champion}: {verdict.reason}"
    return f"hold {challenger} (challenger of {champion}): {verdict.reason}"


def _last_gate_event(session: Session, model: str) -> ModelEvent | None:
    return session.scalar(
        select(ModelEvent)
        .where(ModelEvent.model_name == model, ModelEvent.kind == "gate")
        .order_by(ModelEvent.id.desc())
        .limit(1)
    )


def _changed(last: ModelEvent | None, key: dict) -> bool:
    if last is None:
        return True
    details = last.details or {}
    return any(details.get(name) != value for name, value in key.items())


@dataclass
class Outcome:
    """What ``act`` did: the event it wrote (its text), whether it promoted."""

    event: str | None = None
    promoted: bool = False


def act(
    session: Session,
    model: RegisteredModel,
    verdict: Verdict,
    champion: str,
    challenger: str,
    details: dict,
    now: datetime,
) -> Outcome:
    """Record an automatic decision on ``model`` (its row locked by the caller, its stages still
    ``champion`` and ``challenger``): the gate event when something changed, the note, and the
    promotion when the verdict is to promote."""
    outcome = Outcome()
    key = {"decision": verdict.decision, "reason_kind": verdict.kind, "champion": champion, "challenger": challenger}
    text = note_text(verdict, champion, challenger)
    if _changed(_last_gate_event(session, model.name), key):
        stages.record_event(
            session,
            model.name,
            "gate",
            text,
            version=challenger,
            actor="worker",
            details={**key, "reason": verdict.reason, **details},
        )
        outcome.event = text
    condition = alerts.Condition(NOTE, "", "info", text)
    alerts.apply(session, model.name, [condition], {NOTE}, 1, now)
    if verdict.decision == PROMOTE:
        stages.promote(session, model.name, challenger, actor="worker", reason=verdict.reason, details=details)
        outcome.promoted = True
        log.info("%s: the gate promoted %s over %s: %s", model.name, challenger, champion, verdict.reason)
    return outcome


def clear_note(session: Session, model: str, now: datetime) -> None:
    """Resolve the model's gate note (no challenger any more, or the gate is off)."""
    unresolved = session.scalar(
        select(Alert.id).where(Alert.model_name == model, Alert.kind == NOTE, Alert.status != "resolved").limit(1)
    )
    if unresolved is not None:
        alerts.apply(session, model, [], {NOTE}, 1, now)
