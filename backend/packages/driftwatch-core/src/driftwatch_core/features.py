"""Feature schemas: what a model takes, feature by feature, and the demo transactions' schema.

``Feature`` is one input of any registered model (a version stores its schema as
``Feature.to_dict`` entries; ``schema_from_dicts`` reads them back). ``FEATURES`` is the
schema of the synthetic card transactions (``driftwatch_core.generator``) that the demo
model is trained on and the simulator sends. Deliberately free of heavy imports so the
traffic simulator can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["numeric", "categorical", "boolean"]


@dataclass(frozen=True)
class Feature:
    name: str
    kind: Kind
    description: str
    example: float | int | str | bool
    dtype: Literal["float", "int", "str", "bool"] = "float"
    minimum: float | None = None
    maximum: float | None = None
    unit: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)

    def encode(self, value: float | int | str | bool) -> float:
        """Map a raw value to the number the booster sees (category index, 0/1)."""
        if self.kind == "categorical":
            return float(self.categories.index(value))
        return float(value)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["categories"] = list(self.categories)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feature:
        """The feature a stored schema entry (``to_dict``'s output) describes."""
        return cls(
            name=data["name"],
            kind=data["kind"],
            description=data.get("description") or "",
            example=data.get("example"),  # type: ignore[arg-type]
            dtype=data.get("dtype") or _DEFAULT_DTYPE[data["kind"]],
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            unit=data.get("unit"),
            categories=tuple(data.get("categories") or ()),
        )


_DEFAULT_DTYPE: dict[str, Literal["float", "int", "str", "bool"]] = {
    "numeric": "float",
    "categorical": "str",
    "boolean": "bool",
}


MERCHANT_CATEGORIES = (
    "grocery",
    "restaurant",
    "gas_station",
    "online_retail",
    "electronics",
    "travel",
    "entertainment",
    "health",
    "utilities",
    "jewelry",
)
ENTRY_MODES = ("chip", "contactless", "swipe", "manual", "online")

FEATURES: tuple[Feature, ...] = (
    Feature("amount", "numeric", "Transaction amount", 84.5, "float", 0.01, 50_000, "USD"),
    Feature("hour_of_day", "numeric", "Local hour the transaction happened", 14, "int", 0, 23, "h"),
    Feature("day_of_week", "numeric", "Day of week, 0 = Monday", 2, "int", 0, 6),
    Feature(
        "merchant_category",
        "categorical",
        "Merchant category",
        "grocery",
        "str",
        categories=MERCHANT_CATEGORIES,
    ),
    Feature(
        "distance_from_home_km",
        "numeric",
        "Distance between the merchant and the cardholder's home",
        6.2,
        "float",
        0,
        20_000,
        "km",
    ),
    Feature(
        "distance_from_last_txn_km",
        "numeric",
        "Distance from the card's previous transaction",
        2.1,
        "float",
        0,
        20_000,
        "km",
    ),
    Feature(
        "ratio_to_median_amount",
        "numeric",
        "Amount divided by the customer's median amount",
        1.1,
        "float",
        0,
        1_000,
    ),
    Feature("txn_count_24h", "numeric", "Transactions on the card in the last 24 h", 3, "int", 0, 500),
    Feature("card_present", "boolean", "Card physically present at the terminal", True, "bool"),
    Feature("entry_mode", "categorical", "How the card was read", "chip", "str", categories=ENTRY_MODES),
    Feature("account_age_days", "numeric", "Days since the account was opened", 1450, "int", 0, 36_500),
    Feature("customer_age", "numeric", "Cardholder age", 41, "int", 18, 110, "years"),
    Feature("is_international", "boolean", "Merchant is in another country", False, "bool"),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURES_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
#: Every model's score is monitored like a feature under this name (a feature may not take it).
SCORE_NAME = "score"


def example_transaction() -> dict:
    return {f.name: f.example for f in FEATURES}


def schema_as_dicts(features: Iterable[Feature] = FEATURES) -> list[dict]:
    return [f.to_dict() for f in features]


def humanize(name: str) -> str:
    """A snake_case name for people: ``"hour_of_day"`` → ``"Hour of day"``."""
    return name[:1].upper() + name[1:].replace("_", " ")


def feature_label(feature: Feature | Mapping[str, Any]) -> str:
    """A feature's name for people, as the dashboard writes it (``featureLabel`` in
    frontend/src/lib/format.ts): ``distance_from_home_km`` with unit km → ``Distance from home (km)``."""
    if isinstance(feature, Feature):
        name, unit = feature.name, feature.unit
    else:
        name, unit = feature["name"], feature.get("unit")
    if not unit:
        return humanize(name)
    return f"{humanize(name.removesuffix(f'_{unit}'))} ({unit})"


def schema_from_dicts(entries: Iterable[Mapping[str, Any]]) -> tuple[Feature, ...]:
    """A model's feature schema from its stored form (a registered version's ``feature_schema``)."""
    return tuple(Feature.from_dict(entry) for entry in entries)
