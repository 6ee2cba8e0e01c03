"""Which version of a model answers, and which one is tried beside it: the stages, and every change to them.

A model has one **champion** (it answers) and at most one **challenger**, in
``shadow`` (it scores every request after the answer, never answers) or as a
``canary`` (it answers ``canary_share`` of requests, the same entity id always
the same way). The champion before the current one is kept, so ``rollback``
serves it again (and a second rollback undoes the first).

Every change happens in the caller's transaction with the model's row locked
(``SELECT ... FOR UPDATE`` on PostgreSQL), bumps the model's ``generation`` and
records a ``ModelEvent``: the backend processes poll the generations and
switch, the timeline and the live channel show the events. The backend (admin
endpoints, registration, retraining) and the worker (the promotion gate) make
changes through these functions only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import ModelEvent, ModelVersion, RegisteredModel, utcnow

SHADOW, CANARY = "shadow", "canary"
MODES = (SHADOW, CANARY)


class StageError(Exception):
    """A stage change refused; nothing was changed."""


class UnknownModel(StageError, LookupError):
    """No such model, or no such version of it."""


class StageConflict(StageError, ValueError):
    """The model's stages do not allow this change (promote the champion again, retire it ...)."""


@dataclass(frozen=True)
class Routing:
    """How one model's requests are answered right now (what a server process acts on)."""

    model: str
    generation: int
    champion: str | None
    challenger: str | None = None
    mode: str | None = None  # shadow | canary
    share: float = 0.0  # the canary's share of requests

    def pick(self, entity: str | None, fallback: bytes) -> tuple[str, str | None]:
        """(version that answers, version that scores in shadow) for one request.

        A canary answers the requests whose entity id (else ``fallback``, e.g. the
        request's own random id) hashes below its share; the other version of the
        pair then scores the request in shadow, so both versions score every request
        and are compared on the same rows.
        """
        assert self.champion is not None
        if self.challenger is None:
            return self.champion, None
        if self.mode == CANARY and bucket(entity, fallback) < self.share:
            return self.challenger, self.champion
        return self.champion, self.challenger


def bucket(entity: str | None, fallback: bytes) -> float:
    """A uniform number in [0, 1) fixed by the entity id (by ``fallback`` when there is none)."""
    key = entity.encode() if entity is not None else fallback
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / 2**64


def routing_of(model: RegisteredModel) -> Routing:
    return Routing(
        model=model.name,
        generation=model.generation,
        champion=model.champion_version,
        challenger=model.challenger_version,
        mode=model.challenger_mode,
        share=float(model.canary_share or 0.0) if model.challenger_mode == CANARY else 0.0,
    )


def routings(session: Session) -> dict[str, Routing]:
    """Every model's routing, in one query (what the servers poll)."""
    return {m.name: routing_of(m) for m in session.scalars(select(RegisteredModel))}


def stage_of(model: RegisteredModel, version: ModelVersion) -> str:
    """champion, shadow, canary, previous (what a rollback serves), retired, or candidate."""
    if version.version == model.champion_version:
        return "champion"
    if version.version == model.challenger_version and model.challenger_mode:
        return model.challenger_mode
    if version.retired_at is not None:
        return "retired"
    if version.version == model.previous_champion:
        return "previous"
    return "candidate"


def record_event(
    session: Session,
    model: str,
    kind: str,
    message: str,
    *,
    version: str | None = None,
    actor: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ModelEvent:
    """Add one timeline event; ``at`` is when it happened (now unless the caller's clock says
    otherwise: the worker dates its events at its cycle's time)."""
    event = ModelEvent(
        created_at=at or utcnow(),
        model_name=model,
        kind=kind,
        version=version,
        actor=actor[:64],
        message=message,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def _locked(session: Session, name: str) -> RegisteredModel:
    model = session.scalar(select(RegisteredModel).where(RegisteredModel.name == name).with_for_update())
    if model is None:
        raise UnknownModel(f"no model named {name!r}: GET /api/v1/models lists them")
    return model


def _version(session: Session, model: RegisteredModel, version: str) -> ModelVersion:
    row = session.get(ModelVersion, version)
    if row is None or row.model_name != model.name:
        raise UnknownModel(
            f"model {model.name!r} has no version {version!r}: GET /api/v1/models/{model.name} lists them"
        )
    return row


def _inputs(version: ModelVersion) -> list:
    return [f.get("name") if isinstance(f, dict) else None for f in version.feature_schema or []]


def _changed(model: RegisteredModel) -> None:
    model.generation = (model.generation or 0) + 1
    model.stage_changed_at = utcnow()


def _clear_challenger(model: RegisteredModel) -> None:
    model.challenger_version = model.challenger_mode = model.canary_share = None


def promote(
    session: Session, name: str, version: str, *, actor: str, reason: str = "", details: dict | None = None
) -> ModelEvent:
    """Make ``version`` the champion; the current one becomes the previous champion."""
    model = _locked(session, name)
    row = _version(session, model, version)
    if model.champion_version == version:
        raise StageConflict(f"{version} is already the champion of {name!r}")
    was = model.champion_version
    model.previous_champion, model.champion_version = was, version
    if model.challenger_version == version:
        _clear_challenger(model)
    row.retired_at = None
    _changed(model)
    text = f"{version} promoted to champion" + (f" (was {was})" if was else "")
    return record_event(
        session,
        name,
        "promoted",
        text + (f": {reason}" if reason else ""),
        version=version,
        actor=actor,
        details={"previous": was, "reason": reason, **(details or {})},
    )


def rollback(session: Session, name: str, *, actor: str, reason: str = "") -> ModelEvent:
    """Serve the previous champion again; the current one becomes the previous (a second rollback undoes this)."""
    model = _locked(session, name)
    target = model.previous_champion
    if target is None:
        raise StageConflict(f"model {name!r} has no previous champion to roll back to")
    row = _version(session, model, target)
    was = model.champion_version
    model.champion_version, model.previous_champion = target, was
    if model.challenger_version == target:
        _clear_challenger(model)
    row.retired_at = None
    _changed(model)
    return record_event(
        session,
        name,
        "rolled_back",
        f"rolled back to {target} (was {was})" + (f": {reason}" if reason else ""),
        version=target,
        actor=actor,
        details={"previous": was, "reason": reason},
    )


def challenge(
    session: Session,
    name: str,
    version: str,
    mode: str,
    *,
    share: float | None = None,
    actor: str,
    reason: str = "",
) -> ModelEvent:
    """Make ``version`` the challenger, in shadow or as a canary answering ``share`` of requests;
    it replaces the current challenger, if any."""
    if mode not in MODES:
        raise StageConflict(f"mode must be one of {', '.join(MODES)} (got {mode!r})")
    if mode == CANARY and (share is None or not 0 < share < 1):
        raise StageConflict(f"a canary needs a share of requests between 0 and 1 (got {share})")
    model = _locked(session, name)
    row = _version(session, model, version)
    if model.champion_version == version:
        raise StageConflict(f"{version} is the champion of {name!r}: a challenger is another version")
    if model.champion_version is None:
        raise StageConflict(f"model {name!r} has no champion to challenge: promote a version first")
    champion = session.get(ModelVersion, model.champion_version)
    if champion is not None and _inputs(champion) != _inputs(row):
        raise StageConflict(
            f"{version} takes other inputs than the champion {champion.version}: a challenger scores the "
            "champion's requests, so it needs the same features in the same order (promote it instead)"
        )
    replaced = model.challenger_version if model.challenger_version != version else None
    model.challenger_version, model.challenger_mode = version, mode
    model.canary_share = share if mode == CANARY else None
    row.retired_at = None
    _changed(model)
    what = f"{version} in shadow" if mode == SHADOW else f"{version} as a canary on {share:.0%} of requests"
    text = what + (f" (replaces {replaced})" if replaced else "") + (f": {reason}" if reason else "")
    return record_event(
        session,
        name,
        mode,
        text,
        version=version,
        actor=actor,
        details={"share": share, "replaced": replaced, "reason": reason},
    )


def retire(session: Session, name: str, version: str, *, actor: str, reason: str = "") -> ModelEvent:
    """Stop a version: it no longer challenges (nor is what a rollback serves). The champion
    cannot be retired: promote another version first."""
    model = _locked(session, name)
    row = _version(session, model, version)
    if model.champion_version == version:
        raise StageConflict(f"{version} is the champion of {name!r}: promote another version before retiring it")
    if row.retired_at is not None:
        raise StageConflict(f"{version} is already retired")
    if model.challenger_version == version:
        _clear_challenger(model)
    if model.previous_champion == version:
        model.previous_champion = None
    row.retired_at = utcnow()
    _changed(model)
    return record_event(
        session,
        name,
        "retired",
        f"{version} retired" + (f": {reason}" if reason else ""),
        version=version,
        actor=actor,
        details={"reason": reason},
    )
