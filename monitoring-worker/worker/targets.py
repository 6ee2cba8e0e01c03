"""What each model is judged against: its version, feature kinds, score name and reference.

Every cycle monitors each active model of ``registered_models``, in name
order, each at one version: its **champion**
(``registered_models.champion_version``, the version that answers requests;
``driftwatch_core.stages``). A challenger (shadow or canary) is not what a
model's cycle judges: ``worker.compare`` sets it beside the champion on the
same requests. A model with no champion yet is judged at its newest
registered version (by ``registered_at``); a model with no version at all is
not monitored. Every model is judged the same way: the registry in the
database is the only source of what to judge. The version's ``feature_schema``
gives the feature kinds and its ``reference``
(``driftwatch_core.reference.build_reference``) the reference distributions and
the score's name (``score_name``; references written before it was stored used
``fraud_probability``, which ``LEGACY_SCORE_NAME`` keeps readable).

A reference is checked and prepared once per version and cached; a version no
model used in the last cycle leaves the cache. A reference that cannot be used
raises ``BrokenReference`` naming the version and what is wrong with it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, select

from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.features import Feature, feature_label, schema_from_dicts
from worker.drift import prepare_reference
from worker.window import Scope

log = logging.getLogger(__name__)

#: The score's name in references written before they named it (the release before the registry).
LEGACY_SCORE_NAME = "fraud_probability"
#: The reference entry kind each feature kind is binned as (booleans as two categories).
_REFERENCE_KIND = {"numeric": "numeric", "categorical": "categorical", "boolean": "categorical"}


class BrokenReference(ValueError):
    """A version whose reference or schema the worker cannot judge with."""


@dataclass(frozen=True)
class Target:
    """One model version as a cycle judges it: whose rows, and the prepared reference."""

    scope: Scope
    reference: dict[str, dict]  # prepared (``prepare_reference``): each feature and the score
    #: Each feature's name for people (``feature_label``): what alerts and incidents say.
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.scope.model

    @property
    def version(self) -> str:
        return self.scope.version


def _features(schema: Any, version: str) -> tuple[Feature, ...]:
    if not isinstance(schema, list) or not schema:
        raise BrokenReference(f"version {version} has no feature schema")
    try:
        return schema_from_dicts(schema)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BrokenReference(f"version {version}: unreadable feature schema ({exc!r})") from None


def _check_entry(name: str, kind: str, entry: Mapping) -> None:
    """Raise ``ValueError`` unless ``entry`` (prepared) is a usable reference of a ``kind`` feature."""
    if entry.get("kind") != _REFERENCE_KIND.get(kind):
        raise ValueError(f"kind {entry.get('kind')!r}, expected {_REFERENCE_KIND.get(kind)!r}")
    proportions = entry["proportions"]
    if entry["kind"] == "numeric":
        edges, sample = entry["edges"], entry["sample"]
        if edges.ndim != 1 or len(proportions) != len(edges) + 1 or np.any(np.diff(edges) < 0):
            raise ValueError("edges and proportions do not match")
        if sample.ndim != 1 or not len(sample) or not np.all(np.isfinite(sample)):
            raise ValueError("no usable sample")
    else:
        categories = entry["categories"]
        if not isinstance(categories, list) or not categories or len(proportions) != len(categories):
            raise ValueError("categories and proportions do not match")
        if not float(entry["n"]) > 0:
            raise ValueError("no rows")


def build_target(model: str, version: str, schema: Any, reference: Any) -> Target:
    """Check a version's schema and reference and prepare them; ``BrokenReference`` if unusable."""
    features = _features(schema, version)
    kinds = {f.name: f.kind for f in features}
    if not isinstance(reference, Mapping) or not isinstance(reference.get("features"), Mapping):
        raise BrokenReference(f"version {version}: the reference has no features")
    score_name = reference.get("score_name") or LEGACY_SCORE_NAME
    if score_name in kinds:
        raise BrokenReference(f"version {version}: feature {score_name!r} has the name the score is judged under")
    entries = {**{name: reference["features"].get(name) for name in kinds}, score_name: reference.get(score_name)}
    prepared: dict[str, dict] = {}
    for name, entry in entries.items():
        if not isinstance(entry, Mapping):
            raise BrokenReference(f"version {version}: the reference has no entry for {name!r}")
        try:
            prepared[name] = prepare_reference({name: entry})[name]
            _check_entry(name, kinds.get(name, "numeric"), prepared[name])
        except (KeyError, TypeError, ValueError) as exc:
            raise BrokenReference(f"version {version}: the reference of {name!r} is unusable ({exc})") from None
    labels = {f.name: feature_label(f) for f in features}
    return Target(Scope(model, version, kinds, score_name), prepared, labels)


class Targets:
    """Which version of each active model to judge, and its prepared reference (cached)."""

    def __init__(self) -> None:
        self._cache: dict[str, Target] = {}  # version -> prepared target
        self._used: set[str] = set()

    def plan(self, conn: Connection) -> dict[str, str]:
        """Each active model with a version, in name order, and the version to judge (its champion,
        else its newest). Starts a cycle: versions unused last cycle leave the cache."""
        self._cache = {key: target for key, target in self._cache.items() if key in self._used}
        self._used = set()
        champions = dict(
            conn.execute(
                select(RegisteredModel.name, RegisteredModel.champion_version)
                .where(RegisteredModel.active)
                .order_by(RegisteredModel.name)
            ).all()
        )
        newest: dict[str, str] = {}
        rows = conn.execute(
            select(ModelVersion.model_name, ModelVersion.version)
            .where(ModelVersion.model_name.in_([name for name, champion in champions.items() if champion is None]))
            .order_by(ModelVersion.model_name, ModelVersion.registered_at.desc(), ModelVersion.version.desc())
        )
        for name, version in rows:
            newest.setdefault(name, version)
        plan: dict[str, str] = {}
        for name, champion in champions.items():
            judged = champion or newest.get(name)
            if judged is None:
                log.debug("model %s has no version yet: not monitored", name)
                continue
            plan[name] = judged
        return plan

    def get(self, engine: Engine, model: str, version: str) -> Target:
        """The target of ``model`` at ``version``, loaded and prepared on first use."""
        if (target := self._cached(version)) is not None:
            return target
        with engine.connect() as conn:
            row = conn.execute(
                select(ModelVersion.feature_schema, ModelVersion.reference).where(
                    ModelVersion.version == version, ModelVersion.model_name == model
                )
            ).first()
        if row is None:
            raise BrokenReference(f"version {version} of model {model} is not registered")
        if not row.reference:
            raise BrokenReference(f"version {version} has no reference")
        return self._remember(version, build_target(model, version, row.feature_schema, row.reference))

    def names_in_use(self) -> set[str]:
        """The features and score names of every version judged since this cycle's ``plan``."""
        scopes = [self._cache[key].scope for key in self._used if key in self._cache]
        return {name for scope in scopes for name in (*scope.kinds, scope.score_name)}

    def _cached(self, key: str) -> Target | None:
        target = self._cache.get(key)
        if target is not None:
            self._used.add(key)
        return target

    def _remember(self, key: str, target: Target) -> Target:
        self._cache[key] = target
        self._used.add(key)
        log.info("model %s: loaded the reference of version %s", target.model, target.version)
        return target
