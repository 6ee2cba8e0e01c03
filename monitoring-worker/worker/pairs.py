"""The requests a model's champion and challenger both scored, read as pairs.

Every request of a model with a challenger is scored by both versions: the
answered prediction ``p`` (``shadow_of`` null) and the shadow row ``s`` of the
other version (``s.shadow_of = p.id``, same ``created_at``). In shadow mode
the champion answers and the challenger shadows; as a canary the challenger
answers its share and the champion shadows those requests, so which side of a
pair is the champion is read from the rows' versions. Only pairs of exactly
the current champion and challenger count. Labels name the answered
prediction, so a pair's label is ``p``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from driftwatch_core.db.models import GroundTruth, Prediction
from worker.window import read_frame, sample_filter


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
