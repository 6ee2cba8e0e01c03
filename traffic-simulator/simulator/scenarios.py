"""Drift scenarios: small objects whose ``tick(t)`` says which drift to apply at time t.

``t`` is seconds since the scenario started (the backend's ``elapsed_s``).
Names and parameters come from the backend's catalogue
(``driftwatch_core.scenarios.SCENARIOS``); this module only says what each one
does to the generator's traffic, through ``driftwatch_core.generator.Drift``.

A :class:`Shift` is a full-strength change; ``Shift.at(s)`` scales it: numeric
factors are raised to the power ``s``, offsets and category/boolean mixes move
linearly from normal traffic (``s`` = 0) towards the target (``s`` = 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from driftwatch_core.features import FEATURE_NAMES, FEATURES_BY_NAME
from driftwatch_core.generator import NO_DRIFT, Drift, TransactionGenerator
from driftwatch_core.scenarios import resolve_params

_BASELINE_ROWS = 20_000


@lru_cache(maxsize=1)
def normal_mix() -> dict[str, dict[str, float]]:
    """Category shares and boolean True rates of undrifted traffic, measured on the generator."""
    batch = TransactionGenerator(seed=20_240_601).sample(_BASELINE_ROWS)
    mix: dict[str, dict[str, float]] = {}
    for name, col in batch.columns.items():
        feature = FEATURES_BY_NAME[name]
        if feature.kind == "categorical":
            mix[name] = {c: float(np.mean(col == c)) for c in feature.categories}
        elif feature.kind == "boolean":
            mix[name] = {"true": float(np.mean(col))}
    return mix


def _toward(normal: float, target: float, s: float) -> float:
    return min(1.0, max(0.0, normal + s * (target - normal)))


@dataclass(frozen=True)
class Shift:
    """A full-strength change of traffic, scaled by :meth:`at`."""

    factors: dict[str, float] = field(default_factory=dict)
    offsets: dict[str, float] = field(default_factory=dict)
    categories: dict[str, dict[str, float]] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)

    def at(self, s: float, features: Iterable[str] = FEATURE_NAMES) -> Drift:
        """The drift at strength ``s`` (0 = none, 1 = full), limited to ``features``."""
        if s <= 0:
            return NO_DRIFT
        keep = set(features)
        normal = normal_mix()
        categories = {}
        for name, target in self.categories.items():
            if name in keep:
                base = normal[name]
                categories[name] = {c: _toward(p, target.get(c, 0.0), s) for c, p in base.items()}
        return Drift(
            scale={k: v**s for k, v in self.factors.items() if k in keep},
            shift={k: v * s for k, v in self.offsets.items() if k in keep},
            category_probs=categories,
            boolean_rates={k: _toward(normal[k]["true"], v, s) for k, v in self.rates.items() if k in keep},
        )


#: Cloned cards cashed out in another city (``sudden``, ramped in by ``gradual``): one cause
#: moving three features. Purchases happen at night (daytime hours ~14 h fall to 0-4 h) and
#: about 50 times farther from home and from the card's last purchase (a 5 km median becomes
#: ~250 km); amounts, merchants and the rest stay as in normal traffic. Strong enough that a
#: 5-minute window holding 7-10% of such rows (the first cycle after the switch at 10 req/s)
#: shows the three features and the score drifted.
CASH_OUT = Shift(
    factors={"hour_of_day": 0.2, "distance_from_home_km": 50.0, "distance_from_last_txn_km": 50.0},
)

#: A staged fraud-ring attack (``fraud_ring``): 12 of the 13 features move far from training
#: traffic, so even a window holding only ~20% attack rows shows most features drifted.
ATTACK = Shift(
    factors={
        "amount": 4.0,
        "hour_of_day": 0.2,  # daytime hours (~14 h) fall to 0-4 h: night
        "distance_from_home_km": 6.0,
        "distance_from_last_txn_km": 8.0,
        "ratio_to_median_amount": 3.0,
        "account_age_days": 0.1,
        "customer_age": 0.6,
    },
    offsets={"txn_count_24h": 6.0},
    categories={
        "merchant_category": {"electronics": 0.35, "jewelry": 0.25, "travel": 0.15, "online_retail": 0.25},
        "entry_mode": {"online": 0.75, "manual": 0.25},
    },
    rates={"card_present": 0.1, "is_international": 0.5},
)

#: Only the merchant mix moves (towards expensive, risky merchants).
MERCHANT_MIX = Shift(categories={"merchant_category": ATTACK.categories["merchant_category"]})

#: Late-evening online shopping: hours move to the evening, merchants online.
#: Entry mode and card presence follow from the merchant, as in real traffic.
EVENING = Shift(
    offsets={"hour_of_day": 6.0},
    categories={"merchant_category": {"online_retail": 0.55, "entertainment": 0.2, "restaurant": 0.25}},
)


class Scenario:
    """Normal traffic; subclasses override :meth:`tick`. ``label_delay_s`` overrides SIM_LABEL_DELAY_S."""

    label_delay_s: float | None = None

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.name, self.params = name, params

    def tick(self, t: float) -> Drift:
        return NO_DRIFT

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.params})"


class Sudden(Scenario):
    """The cash-out at full magnitude from t = 0."""

    def tick(self, t: float) -> Drift:
        return CASH_OUT.at(self.params["magnitude"], self.params["features"])


class FraudRing(Scenario):
    """The 12-feature attack at full magnitude from t = 0."""

    def tick(self, t: float) -> Drift:
        return ATTACK.at(self.params["magnitude"], self.params["features"])


class Gradual(Scenario):
    """The cash-out ramped in linearly: nothing at t = 0, full magnitude after ``duration_minutes``."""

    def tick(self, t: float) -> Drift:
        ramp = min(1.0, max(0.0, t / (60.0 * self.params["duration_minutes"])))
        return CASH_OUT.at(ramp * self.params["magnitude"], self.params["features"])


class Recurring(Scenario):
    """Evening shopping rising and falling every ``period_minutes``: normal at t = 0, peak at half."""

    def tick(self, t: float) -> Drift:
        phase = 2.0 * math.pi * t / (60.0 * self.params["period_minutes"])
        return EVENING.at(self.params["magnitude"] * (1.0 - math.cos(phase)) / 2.0)


class Categorical(Scenario):
    """Only the merchant mix shifts."""

    def tick(self, t: float) -> Drift:
        return MERCHANT_MIX.at(self.params["magnitude"])


class Concept(Scenario):
    """Inputs stay normal; ``magnitude`` of the labels follow the generator's alternative fraud pattern."""

    def tick(self, t: float) -> Drift:
        return Drift(concept=self.params["magnitude"])


class LabelDelay(Scenario):
    """Normal traffic whose labels arrive after ``delay_s`` instead of SIM_LABEL_DELAY_S."""

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(name, params)
        self.label_delay_s = float(params["delay_s"])


SCENARIO_CLASSES: dict[str, type[Scenario]] = {
    "none": Scenario,
    "sudden": Sudden,
    "fraud_ring": FraudRing,
    "gradual": Gradual,
    "recurring": Recurring,
    "categorical": Categorical,
    "concept": Concept,
    "label_delay": LabelDelay,
}


def build_scenario(name: str, params: dict[str, Any] | None = None) -> Scenario:
    """The scenario ``name`` with ``params`` validated against the catalogue (defaults filled in).

    Raises ``KeyError`` for an unknown name and ``pydantic.ValidationError`` for bad params.
    """
    return SCENARIO_CLASSES[name](name, resolve_params(name, params or {}))
