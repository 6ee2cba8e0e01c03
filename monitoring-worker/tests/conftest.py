"""Worker test helpers; database and model fixtures come from app.testing."""

from __future__ import annotations

import pytest

from app.ml import artifacts
from app.ml.features import FEATURES
from app.ml.generator import Drift

#: A strong "fraud ring" shift, like the simulator's sudden scenario.
_STRONG_DRIFT = Drift(
    scale={"amount": 3.0, "distance_from_home_km": 5.0, "distance_from_last_txn_km": 5.0,
           "account_age_days": 0.2},
    shift={"hour_of_day": 8.0},
    category_probs={
        "merchant_category": {"electronics": 0.5, "jewelry": 0.3, "online_retail": 0.2},
        "entry_mode": {"online": 0.7, "manual": 0.3},
    },
    boolean_rates={"card_present": 0.1, "is_international": 0.6},
)


@pytest.fixture(scope="session")
def reference(model_dir) -> dict:
    """The trained test model's reference as the worker sees it."""
    return artifacts.load_reference(artifacts.resolve(model_dir))


@pytest.fixture(scope="session")
def kinds() -> dict[str, str]:
    return {f.name: f.kind for f in FEATURES}


@pytest.fixture(scope="session")
def strong_drift() -> Drift:
    """A strong "fraud ring" shift of most features, like the simulator's sudden scenario."""
    return _STRONG_DRIFT


@pytest.fixture(scope="session")
def scorer(model_dir):
    """Score generated columns with the real model (tests only: the worker never loads it)."""
    from app.ml.encoding import encode_columns
    from app.services.model_service import ModelService

    model = ModelService(artifacts.resolve(model_dir))

    def score(columns) -> tuple:
        p = model.predict(encode_columns(columns)).astype(float)
        return p, p >= model.threshold

    score.threshold = model.threshold
    return score
