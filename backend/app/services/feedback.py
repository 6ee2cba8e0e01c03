"""Join delayed labels to their predictions: all or nothing per call."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import GroundTruth, Prediction, utcnow
from app.services.prediction_writer import PredictionWriter

_CHUNK = 1_000


class FeedbackError(Exception):
    """Nothing was stored; ``ids`` are the offending prediction ids (at most 100)."""

    def __init__(self, message: str, ids: list[uuid.UUID]) -> None:
        super().__init__(message)
        self.message, self.ids = message, ids[:100]


class UnknownPredictions(FeedbackError):
    """Some prediction ids are not stored (nor waiting to be)."""


class ConflictingLabels(FeedbackError):
    """Some predictions already have the other label."""


def _chunks(ids: list[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _existing_predictions(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for chunk in _chunks(ids):
        found.update(session.scalars(select(Prediction.id).where(Prediction.id.in_(chunk))))
    return found


def _existing_labels(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    labels: dict[uuid.UUID, bool] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(GroundTruth.prediction_id, GroundTruth.label).where(
                GroundTruth.prediction_id.in_(chunk)
            )
        )
        labels.update({pid: label for pid, label in rows})
    return labels


def record_labels(
    session: Session, writer: PredictionWriter, labels: dict[uuid.UUID, bool]
) -> tuple[int, int]:
    """Store labels; returns (stored, unchanged). Raises a FeedbackError and stores nothing
    when an id is unknown or already has the other label."""
    ids = list(labels)
    found = _existing_predictions(session, ids)
    if len(found) < len(ids) and writer.pending:  # queued or being inserted right now
        # The prediction may still be queued for storage: wait for it once.
        writer.wait_written()
        found |= _existing_predictions(session, [i for i in ids if i not in found])
    missing = [i for i in ids if i not in found]
    if missing:
        raise UnknownPredictions(f"{len(missing)} prediction id(s) not found", missing)

    existing = _existing_labels(session, ids)
    conflicts = [i for i, label in existing.items() if label != labels[i]]
    if conflicts:
        raise ConflictingLabels(f"{len(conflicts)} prediction(s) already have a different label", conflicts)
    new = [{"prediction_id": i, "label": labels[i], "received_at": utcnow()}
           for i in ids if i not in existing]
    if new:
        try:
            session.execute(insert(GroundTruth), new)
            session.commit()
        except IntegrityError:
            # A concurrent call stored some of these first: re-check from the top.
            session.rollback()
            return record_labels(session, writer, labels)
    return len(new), len(ids) - len(new)
