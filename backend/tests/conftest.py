"""Backend fixtures; the shared ones (database, model) come from driftwatch_testing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app
from driftwatch_testing import TEST_ADMIN_KEY, TEST_PREDICT_KEY, auth, until_ready


@pytest.fixture(params=["postgresql", "sqlite"])
def dialect(request) -> str:
    """Runs a test once on PostgreSQL and once on SQLite (see driftwatch_testing.empty_database)."""
    return request.param


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        database_url=database_url,
        write_interval_ms=20,
        admin_api_keys=TEST_ADMIN_KEY,
        predict_api_keys=TEST_PREDICT_KEY,
        allowed_hosts="testserver,localhost,127.0.0.1",
        # An app schemathesis keeps alive must not claim other tests' queued jobs (tests/retrain starts its own).
        retrain_runner=False,
        gc_freeze=False,  # hundreds of apps in one process: no full collection at each start
    )


@pytest.fixture
def client(settings, demo_model):
    """A test client of the real app, the demo model (``fraud``) registered, that sends the admin key
    (``anonymous`` sends none)."""
    with TestClient(create_app(settings), headers=auth()) as c:
        yield until_ready(c)


@pytest.fixture
def transaction() -> dict:
    from driftwatch_core.features import example_transaction

    return example_transaction()


@pytest.fixture
def fraud_like() -> dict:
    """A transaction with most of the generator's fraud signals."""
    return {
        "amount": 2400.0,
        "hour_of_day": 3,
        "day_of_week": 5,
        "merchant_category": "electronics",
        "distance_from_home_km": 4200.0,
        "distance_from_last_txn_km": 3900.0,
        "ratio_to_median_amount": 14.0,
        "txn_count_24h": 14,
        "card_present": False,
        "entry_mode": "manual",
        "account_age_days": 20,
        "customer_age": 23,
        "is_international": True,
    }
