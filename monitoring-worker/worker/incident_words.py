"""An incident in words: its title and summary, for people (``worker.incidents`` keeps them current).

The title says what happened (``Input drift: 9 of 13 features shifted``,
``Model quality dropped: realized ROC-AUC 0.62 < 0.80``); the summary which way
the features moved, the highest peak PSI first (``Higher amount (USD), more
Electronics, ...``), and how soon after a traffic switch it was detected.
"""

from __future__ import annotations

import numpy as np

from driftwatch_core.db.models import Alert, Incident
from driftwatch_core.features import humanize
from driftwatch_core.incidents import duration
from worker.drift import FeatureDrift
from worker.stats.psi import UNSEEN

#: A summary says which way this many features moved (highest peak PSI first), then "and N more".
DESCRIBED = 4


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def direction(r: FeatureDrift, label: str) -> str | None:
    """Which way a feature moved, in words, from its histogram (reference against current shares):
    ``higher amount (USD)`` (the distribution moved up its bins), ``more Electronics`` (the category
    that grew most), ``fewer card present``; None when nothing moved."""
    hist = r.histogram or {}
    reference, current = np.asarray(hist.get("reference", []), float), np.asarray(hist.get("current", []), float)
    if not len(reference) or len(reference) != len(current):
        return None
    if r.kind == "numeric":
        # Positive when the current mass sits in higher bins (its CDF lies below the reference's).
        shift = float(np.sum(np.cumsum(reference) - np.cumsum(current)))
        return None if shift == 0 else f"{'higher' if shift > 0 else 'lower'} {_lower(label)}"
    bins = list(hist.get("bins", []))
    if r.kind == "boolean" and "true" in bins:
        grew = float(current[bins.index("true")] - reference[bins.index("true")])
        return None if grew == 0 else f"{'more' if grew > 0 else 'fewer'} {_lower(label)}"
    grown = int(np.argmax(current - reference))
    if current[grown] <= reference[grown]:
        return None
    return "more new categories" if bins[grown] == UNSEEN else f"more {humanize(str(bins[grown]))}"


def words(incident: Incident, members: list[Alert], features: list[str]) -> tuple[str, str]:
    """The title and summary: what moved and which way, and how soon it was seen."""
    newest = members[0] if members else None
    detected = _detected(incident)
    if incident.cause == "drift":
        return _drift_words(incident, members, features, detected)
    if incident.cause == "performance" and newest is not None and newest.value is not None:
        title = f"Model quality dropped: realized ROC-AUC {newest.value:.2f} < {newest.threshold or 0:.2f}"
        lowest = (incident.peak or {}).get("roc_auc")
        low = f" Lowest so far {lowest:.2f}." if lowest is not None else ""
        return title, f"{newest.message}.{low}{detected}"
    title = {"no_traffic": "No traffic", "monitoring_failed": "Monitoring failed"}.get(incident.cause, "Quality drop")
    return title, ((f"{newest.message}." if newest is not None else "") + detected).strip()


def _drift_words(incident: Incident, members: list[Alert], features: list[str], detected: str) -> tuple[str, str]:
    peaks, current = (incident.peak or {}).get("features", {}), (incident.details or {}).get("features", {})
    ranked = sorted(features, key=lambda name: -peaks.get(name, 0.0))
    labels = [current.get(name, {}).get("label") or humanize(name) for name in ranked]
    total = (incident.details or {}).get("n_features") or len(features)
    if not ranked:
        title = "Prediction drift: model score distribution shifted"
    elif len(ranked) <= 2:
        title = f"Input drift: {' and '.join(labels)} shifted"
    else:
        title = f"Input drift: {len(ranked)} of {total} features shifted"
    moves = [d for name in ranked if (d := current.get(name, {}).get("direction"))]
    sentences = []
    if moves:
        more = len(moves) - DESCRIBED
        text = ", ".join(moves[:DESCRIBED]) + (f" and {more} more" if more > 0 else "")
        sentences.append(text[:1].upper() + text[1:] + ".")
    if any(a.kind == "prediction_drift" for a in members):
        sentences.append("The model's scores shifted too." if ranked else "The inputs look alike.")
    return title, (" ".join(sentences) + detected).strip()


def _detected(incident: Incident) -> str:
    """`` Detected 40 s after Traffic: Sudden shift.`` when a traffic switch preceded it."""
    switch = (incident.details or {}).get("switch")
    if switch is None or incident.started_at is None:
        return ""
    return (
        f" Detected {duration((incident.opened_at - incident.started_at).total_seconds())} after {switch['message']}."
    )
