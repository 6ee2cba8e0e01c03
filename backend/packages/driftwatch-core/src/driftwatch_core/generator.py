"""Seeded generator of realistic card transactions with a noisy fraud label.

Features are drawn first (amounts by merchant, daytime-heavy hours, distances,
velocity, account age, ...), then the label is drawn from a logistic model of
those features plus unobserved noise, so fraud depends on several features in
a non-linear way and no model can separate it perfectly (hold-out ROC-AUC of
a good model lands around 0.92).

Drift is applied to the features *before* the label is drawn, so labels stay
the generator's truth under covariate shift; ``Drift.concept`` swaps in a
different fraud pattern while the inputs look alike (concept drift).

Only NumPy is imported: the traffic simulator uses this module directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from driftwatch_core.features import ENTRY_MODES, FEATURES, MERCHANT_CATEGORIES

MERCHANT_PROBS = np.array([0.22, 0.16, 0.10, 0.18, 0.06, 0.05, 0.08, 0.07, 0.06, 0.02])
MERCHANT_MEDIAN_USD = np.array([45, 35, 40, 60, 180, 350, 50, 70, 90, 400], dtype=float)
IN_STORE_ENTRY_PROBS = np.array([0.45, 0.36, 0.11, 0.03, 0.05])
ONLINE_ENTRY_PROBS = np.array([0.0, 0.0, 0.0, 0.08, 0.92])
DAY_PROBS = np.array([0.13, 0.13, 0.14, 0.14, 0.16, 0.16, 0.14])
CARD_PRESENT_MODES = np.array([m in ("chip", "contactless", "swipe") for m in ENTRY_MODES])
_CALIBRATION_ROWS = 40_000


@dataclass(frozen=True)
class Drift:
    """A change to apply to generated traffic.

    ``scale``/``shift`` multiply and then offset numeric features;
    ``category_probs`` replaces the category mix of a categorical feature;
    ``boolean_rates`` sets the share of True for a boolean feature;
    ``concept`` in [0, 1] is the share of labels drawn from the alternative
    fraud pattern (concept drift).
    """

    scale: dict[str, float] = field(default_factory=dict)
    shift: dict[str, float] = field(default_factory=dict)
    category_probs: dict[str, dict[str, float]] = field(default_factory=dict)
    boolean_rates: dict[str, float] = field(default_factory=dict)
    concept: float = 0.0

    @property
    def is_none(self) -> bool:
        return not (self.scale or self.shift or self.category_probs or self.boolean_rates or self.concept)


NO_DRIFT = Drift()


@dataclass
class Batch:
    """Generated transactions as columns, with the true labels."""

    columns: dict[str, np.ndarray]
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def records(self) -> list[dict]:
        """Rows as JSON-ready dicts with Python scalars, in schema order."""
        converted: dict[str, list[int] | list[bool] | list[str] | list[float]] = {}
        for feature in FEATURES:
            col = self.columns[feature.name]
            if feature.dtype == "int":
                converted[feature.name] = [int(v) for v in col]
            elif feature.dtype == "bool":
                converted[feature.name] = [bool(v) for v in col]
            elif feature.dtype == "str":
                converted[feature.name] = [str(v) for v in col]
            else:
                converted[feature.name] = [round(float(v), 2) for v in col]
        names = list(converted)
        return [dict(zip(names, row, strict=True)) for row in zip(*converted.values(), strict=True)]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _choice(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    return rng.choice(len(probs), size=n, p=probs / probs.sum())


def _probs_for(names: tuple[str, ...], override: dict[str, float]) -> np.ndarray:
    probs = np.array([float(override.get(name, 0.0)) for name in names])
    if probs.sum() <= 0:
        raise ValueError(f"category mix {override} gives no weight to any of {names}")
    return probs


def _draw_features(rng: np.random.Generator, n: int, drift: Drift) -> dict[str, np.ndarray]:
    if "merchant_category" in drift.category_probs:
        merchant = _choice(rng, n, _probs_for(MERCHANT_CATEGORIES, drift.category_probs["merchant_category"]))
    else:
        merchant = _choice(rng, n, MERCHANT_PROBS)
    online_merchant = merchant == MERCHANT_CATEGORIES.index("online_retail")
    if "entry_mode" in drift.category_probs:
        entry = _choice(rng, n, _probs_for(ENTRY_MODES, drift.category_probs["entry_mode"]))
    else:
        entry = np.where(online_merchant, _choice(rng, n, ONLINE_ENTRY_PROBS), _choice(rng, n, IN_STORE_ENTRY_PROBS))
    card_present = CARD_PRESENT_MODES[entry]
    if "card_present" in drift.boolean_rates:
        card_present = rng.random(n) < drift.boolean_rates["card_present"]

    travel = merchant == MERCHANT_CATEGORIES.index("travel")
    intl_rate = drift.boolean_rates.get("is_international")
    international = rng.random(n) < np.where(travel, 0.3, 0.035) if intl_rate is None else rng.random(n) < intl_rate

    customer_median = MERCHANT_MEDIAN_USD[merchant] * rng.lognormal(0.0, 0.35, n)
    ratio = rng.lognormal(0.0, 0.55, n) * np.where(rng.random(n) < 0.04, rng.uniform(3, 12, n), 1.0)
    amount = customer_median * ratio

    daytime = rng.normal(14.0, 3.8, n)
    hour = np.where(rng.random(n) < 0.9, daytime, rng.uniform(0, 24, n))
    hour = np.mod(np.floor(hour), 24)

    home = rng.lognormal(1.6, 1.0, n) + np.where(international, rng.lognormal(7.4, 0.6, n), 0.0)
    last = rng.lognormal(1.0, 1.2, n) + np.where(international, rng.lognormal(7.0, 0.8, n), 0.0)
    velocity = rng.negative_binomial(3, 0.5, n) + np.where(rng.random(n) < 0.03, rng.integers(5, 25, n), 0)
    account_age = rng.gamma(1.6, 900.0, n)
    customer_age = rng.normal(44.0, 14.0, n)

    return {
        "amount": amount,
        "hour_of_day": hour,
        "day_of_week": _choice(rng, n, DAY_PROBS).astype(float),
        "merchant_category": merchant,
        "distance_from_home_km": home,
        "distance_from_last_txn_km": last,
        "ratio_to_median_amount": ratio,
        "txn_count_24h": velocity.astype(float),
        "card_present": card_present.astype(float),
        "entry_mode": entry,
        "account_age_days": account_age,
        "customer_age": customer_age,
        "is_international": international.astype(float),
    }


def _apply_numeric_drift(cols: dict[str, np.ndarray], drift: Drift) -> None:
    for name, factor in drift.scale.items():
        cols[name] = cols[name] * factor
    for name, offset in drift.shift.items():
        cols[name] = cols[name] + offset


def _clip_to_schema(cols: dict[str, np.ndarray]) -> None:
    for feature in FEATURES:
        if feature.kind != "numeric":
            continue
        col = np.clip(cols[feature.name], feature.minimum, feature.maximum)
        cols[feature.name] = np.round(col) if feature.dtype == "int" else np.round(col, 2)


def _baseline_logit(c: dict[str, np.ndarray]) -> np.ndarray:
    """How risky a transaction looks under the fraud pattern the model learns."""
    night = (c["hour_of_day"] <= 4) | (c["hour_of_day"] >= 23)
    remote = c["card_present"] < 0.5
    risky_merchant = np.isin(
        c["merchant_category"],
        [MERCHANT_CATEGORIES.index(m) for m in ("electronics", "jewelry", "online_retail")],
    )
    return (
        1.4 * _sigmoid((np.log(c["amount"] + 1) - np.log(400)) * 2.0)
        + 1.0 * night
        + 0.9 * remote * (c["entry_mode"] == ENTRY_MODES.index("manual"))
        + 0.5 * remote
        + 0.6 * np.log1p(c["distance_from_home_km"]) / np.log1p(5000)
        + 0.9 * (c["ratio_to_median_amount"] > 3)
        + 0.6 * (c["ratio_to_median_amount"] > 8)
        + 0.22 * np.clip(c["txn_count_24h"] - 5, 0, 10)
        + 1.0 * (c["account_age_days"] < 90)
        + 0.7 * risky_merchant
        + 0.6 * c["is_international"]
        + 0.8 * night * c["is_international"]
        - 0.3 * ((c["customer_age"] > 30) & (c["customer_age"] < 60))
    )


def _alternative_logit(c: dict[str, np.ndarray]) -> np.ndarray:
    """A new fraud pattern: skimmed cards used in person for small daytime purchases."""
    everyday = np.isin(
        c["merchant_category"],
        [MERCHANT_CATEGORIES.index(m) for m in ("grocery", "gas_station", "restaurant")],
    )
    return (
        1.6 * (c["entry_mode"] == ENTRY_MODES.index("swipe"))
        + 1.2 * (c["amount"] < 60)
        + 1.0 * everyday
        + 0.8 * (c["distance_from_last_txn_km"] > 20)
        + 0.6 * ((c["hour_of_day"] >= 9) & (c["hour_of_day"] <= 18))
    )


LOGIT_SCALE = 2.1
NOISE_SD = 0.9


@lru_cache(maxsize=16)
def _intercept(fraud_rate: float, alternative: bool) -> float:
    """Solve for the intercept that gives ``fraud_rate`` on baseline traffic."""
    rng = np.random.default_rng(12345)
    cols = _draw_features(rng, _CALIBRATION_ROWS, NO_DRIFT)
    _clip_to_schema(cols)
    risk = LOGIT_SCALE * (_alternative_logit(cols) if alternative else _baseline_logit(cols))
    risk = risk + rng.normal(0, NOISE_SD, _CALIBRATION_ROWS)
    lo, hi = -40.0, 10.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _sigmoid(risk + mid).mean() > fraud_rate:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


class TransactionGenerator:
    """Draws batches of transactions; the same seed gives the same stream."""

    def __init__(self, seed: int | None = None, fraud_rate: float = 0.03) -> None:
        if not 0.0 < fraud_rate < 0.5:
            raise ValueError(f"fraud_rate must be in (0, 0.5), got {fraud_rate}")
        self.rng = np.random.default_rng(seed)
        self.fraud_rate = fraud_rate

    def sample(self, n: int, drift: Drift = NO_DRIFT) -> Batch:
        cols = _draw_features(self.rng, n, drift)
        _apply_numeric_drift(cols, drift)
        _clip_to_schema(cols)
        risk = LOGIT_SCALE * _baseline_logit(cols) + _intercept(self.fraud_rate, False)
        if drift.concept > 0:
            alternative = LOGIT_SCALE * _alternative_logit(cols) + _intercept(self.fraud_rate, True)
            risk = np.where(self.rng.random(n) < drift.concept, alternative, risk)
        p = _sigmoid(risk + self.rng.normal(0, NOISE_SD, n))
        labels = (self.rng.random(n) < p).astype(np.int8)
        cols["merchant_category"] = np.asarray(MERCHANT_CATEGORIES)[cols["merchant_category"]]
        cols["entry_mode"] = np.asarray(ENTRY_MODES)[cols["entry_mode"]]
        cols["card_present"] = cols["card_present"].astype(bool)
        cols["is_international"] = cols["is_international"].astype(bool)
        return Batch(columns=cols, labels=labels)
