"""Join delayed labels to their predictions: all or nothing per call."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.errors import Conflict, NotFound
from app.services.prediction_writer import PredictionWriter
from driftwatch_core.db.models import GroundTruth, Prediction, utcnow

_CHUNK = 1_000
MAX_NAMED_IDS = 100


def _ids(ids: list[uuid.UUID]) -> list[str]:
    return [str(i) for i in ids[:MAX_NAMED_IDS]]


class UnknownPredictions(NotFound):
    """Some prediction ids are not stored (nor waiting to be); nothing was stored."""

    def __init__(self, ids: list[uuid.UUID]) -> None:
        super().__init__(f"{len(ids)} prediction id(s) not found", prediction_ids=_ids(ids))


class ConflictingLabels(Conflict):
    """Some predictions already have the other label; nothing was stored."""

    def __init__(self, ids: list[uuid.UUID]) -> None:
        super().__init__(f"{len(ids)} prediction(s) already have a different label", prediction_ids=_ids(ids))


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _existing_predictions(session: Session, ids: list[uuid.UUID], model: str) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        # Shadow rows were never answered: their ids are unknown to callers.
        query = select(Prediction.id).where(
            Prediction.id.in_(chunk), Prediction.model_name == model, Prediction.shadow_of.is_(None)
        )
        found.update(session.scalars(query))
    return found


def _existing_labels(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    labels: dict[uuid.UUID, bool] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(GroundTruth.prediction_id, GroundTruth.label).where(GroundTruth.prediction_id.in_(chunk))
        )
        labels.update({pid: label for pid, label in rows})
    return labels


def record_labels(
    session: Session, writer: PredictionWriter, model: str, labels: dict[uuid.UUID, bool]
) -> tuple[int, int]:
    """Store labels of ``model``'s predictions; returns (stored, unchanged). Stores nothing and raises
    ``UnknownPredictions`` when an id is unknown to ``model`` (another model's ids are),
    ``ConflictingLabels`` when one already has the other label (both name at most 100 ids)."""
    ids = list(labels)
    found = _existing_predictions(session, ids, model)
    if len(found) < len(ids) and writer.pending:  # queued or being inserted right now
        # The prediction may still be queued for storage: wait for it once.
        writer.wait_written()
        found |= _existing_predictions(session, [i for i in ids if i not in found], model)
    missing = [i for i in ids if i not in found]
    if missing:
        raise UnknownPredictions(missing)

    existing = _existing_labels(session, ids)
    conflicts = [i for i, label in existing.items() if label != labels[i]]
    if conflicts:
        raise ConflictingLabels(conflicts)
    new = [{"prediction_id": i, "label": labels[i], "received_at": utcnow()} for i in ids if i not in existing]
    if new:
        try:
            session.execute(insert(GroundTruth), new)
            session.commit()
        except IntegrityError:
            # A concurrent call stored some of these first: re-check from the top.
            session.rollback()
            return record_labels(session, writer, model, labels)
    return len(new), len(ids) - len(new)
