"""Drift statistics: one module per test, registered by name in ``registry``."""

from worker.stats import chi2, ks, psi  # noqa: F401 - importing registers the tests
from worker.stats.registry import (
    DEFAULT_THRESHOLDS,
    REGISTRY,
    Current,
    Sketched,
    StatTest,
    TestResult,
    Thresholds,
    get_test,
    hypothesis_test_for,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "REGISTRY",
    "Current",
    "Sketched",
    "StatTest",
    "TestResult",
    "Thresholds",
    "get_test",
    "hypothesis_test_for",
]
