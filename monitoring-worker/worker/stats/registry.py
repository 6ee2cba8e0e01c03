"""The statistical tests by name, and the one table of drift thresholds.

Each test declares the feature kinds it accepts, the threshold key it is
judged against, its default and which direction means drift (a distance
drifts when high, a p-value when low). A hypothesis test also declares its
effect-size gate: the threshold key of the floor, and whether the effect is
its own statistic or the feature's PSI. Thresholds live only in
``DEFAULT_THRESHOLDS``; configuration overrides them globally or per feature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Direction = Literal["high", "low"]

#: Every threshold of the drift judgement, in one place.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "psi_moderate": 0.1,  # PSI severity bands: < 0.1 none, 0.1-0.25 moderate
    "psi_significant": 0.25,  # >= 0.25 significant
    # KS / chi-square p-value below this is statistically significant: strict, because
    # 13 features are tested every 30 s and each false alarm costs attention.
    "alpha": 0.001,
    "ks_floor": 0.05,  # ... and the KS statistic must reach this effect size (numeric)
    "psi_floor": 0.02,  # ... and PSI must reach this effect size (categorical, boolean)
    "dataset_drift_share": 0.5,  # dataset drift when this share of features drifted
}


@dataclass(frozen=True)
class Sketched:
    """A feature's current values known by a merged summary instead of rows
    (``worker.slots``): a numeric feature by its CDF (``cdf(points, inclusive)``: the share of
    values <= each point, or < each point when not inclusive), a categorical or boolean one
    by its exact counts keyed by ``str(value).lower()``."""

    n: int  # the non-null values summarized
    cdf: Callable[[np.ndarray, bool], np.ndarray] | None = None
    counts: Mapping[str, int] | None = None

    def __len__(self) -> int:
        return self.n


Current = np.ndarray | Sketched  # what a test judges: the window's values, or their summary


@dataclass(frozen=True)
class TestResult:
    """What one test says about one feature; ``histogram`` only from binning tests."""

    statistic: float
    p_value: float | None = None
    histogram: dict | None = None


@dataclass(frozen=True)
class StatTest:
    name: str
    kinds: frozenset[str]
    threshold_key: str
    drift_when: Direction
    compute: Callable[[Mapping, np.ndarray], TestResult] = field(repr=False)
    #: Hypothesis tests only: the threshold key the effect size must reach ...
    floor_key: str | None = None
    #: ... and whether that effect is the test's own statistic (else the feature's PSI).
    effect_is_statistic: bool = False
    #: The same test on a summary of the values (``Sketched``).
    compute_sketched: Callable[[Mapping, Sketched], TestResult] | None = field(default=None, repr=False)

    def run(self, reference: Mapping, current: Current) -> TestResult:
        """The test on the window's values, or on their summary."""
        if isinstance(current, Sketched):
            if self.compute_sketched is None:
                raise TypeError(f"{self.name} cannot judge a summary; read the window's rows")
            return self.compute_sketched(reference, current)
        return self.compute(reference, current)

    @property
    def default_threshold(self) -> float:
        return DEFAULT_THRESHOLDS[self.threshold_key]

    def exceeds(self, value: float | None, threshold: float) -> bool:
        """True when ``value`` is on the drift side of ``threshold``."""
        if value is None or np.isnan(value):
            return False
        return value >= threshold if self.drift_when == "high" else value < threshold


REGISTRY: dict[str, StatTest] = {}


def register(test: StatTest) -> StatTest:
    REGISTRY[test.name] = test
    return test


def get_test(name: str) -> StatTest:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown statistical test {name!r}; known: {sorted(REGISTRY)}") from None


def hypothesis_test_for(kind: str) -> StatTest:
    """The p-value test used for a feature kind (KS for numeric, chi-square otherwise)."""
    for test in REGISTRY.values():
        if test.drift_when == "low" and kind in test.kinds:
            return test
    raise KeyError(f"no hypothesis test accepts feature kind {kind!r}")


class Thresholds:
    """The defaults with global and per-feature overrides.

    ``overrides`` maps ``"*"`` (every feature) or a feature name to
    ``{key: value}``; a key is a name from ``DEFAULT_THRESHOLDS`` or a test
    name, which stands for that test's threshold key (``{"psi": 0.2}``).
    """

    def __init__(
        self, overrides: Mapping[str, Mapping[str, float]] | None = None, features: set[str] | None = None
    ) -> None:
        self._overrides: dict[str, dict[str, float]] = {}
        for feature, values in (overrides or {}).items():
            if features is not None and feature != "*" and feature not in features:
                raise ValueError(
                    f"WORKER_THRESHOLDS: unknown feature {feature!r}; use '*' or one of {sorted(features)}"
                )
            self._overrides[feature] = {self._key(k): float(v) for k, v in values.items()}
        self.defaults = {**DEFAULT_THRESHOLDS, **self._overrides.pop("*", {})}

    @staticmethod
    def _key(key: str) -> str:
        if key in DEFAULT_THRESHOLDS:
            return key
        if key in REGISTRY:
            return REGISTRY[key].threshold_key
        raise ValueError(
            f"WORKER_THRESHOLDS: unknown threshold {key!r}; use one of "
            f"{sorted(DEFAULT_THRESHOLDS)} or a test name {sorted(REGISTRY)}"
        )

    def for_feature(self, feature: str) -> dict[str, float]:
        return {**self.defaults, **self._overrides.get(feature, {})}

    @property
    def features(self) -> set[str]:
        """The features with overrides of their own."""
        return set(self._overrides)
