"""Switching live under load, across processes: two backends, 100 req/s, a promote and a rollback.

The demo model is registered first (``demo_model``): a backend serves only what the registry holds."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import Prediction
from driftwatch_testing import auth, run_backend

from .conftest import add_version, champion_of

pytestmark = pytest.mark.slow
RATE = 100.0  # requests per second, over both backends
#: How long a condition may take on a busy machine (the test waits on conditions, never on a clock).
DEADLINE_S = 60.0


class Load:
    """Sends ``RATE`` predictions a second round-robin to ``bases`` from a few threads; keeps every answer."""

    def __init__(self, bases: list[str], transaction: dict) -> None:
        self.bases, self.transaction = bases, transaction
        self.answers: list[tuple[str, int, dict, str | None]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(4)]

    def _run(self, i: int) -> None:
        interval = len(self._threads) / RATE
        with httpx.Client(headers=auth(), timeout=10) as http:
            n = 0
            next_at = time.monotonic()
            while not self._stop.is_set():
                base = self.bases[(i + n) % len(self.bases)]
                try:
                    r = http.post(f"{base}/api/v1/predict", json=self.transaction)
                    if r.status_code == 200:
                        self.answers.append((base, r.status_code, r.json(), r.headers.get("X-Model-Version")))
                    else:
                        self.errors.append(f"{r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                n += 1
                next_at += interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(15)

    def count(self, version: str, base: str, since: int = 0) -> int:
        """Answers by ``version`` from ``base`` (of those after the first ``since``)."""
        return sum(1 for b, _, body, _ in self.answers[since:] if b == base and body["model_version"] == version)

    def wait_until(self, condition, what: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while not condition():
            assert time.monotonic() < deadline, f"not within {DEADLINE_S} s: {what} ({len(self.answers)} answers)"
            assert not self.errors, self.errors[:3]
            time.sleep(0.1)


def answered_by(http: httpx.Client, base: str, transaction: dict, version: str) -> None:
    """Wait until ``base`` answers with ``version`` (its poller has read the registry and loaded it)."""
    deadline = time.monotonic() + DEADLINE_S
    while http.post(f"{base}/api/v1/predict", json=transaction).json()["model_version"] != version:
        assert time.monotonic() < deadline, f"{base} did not answer with {version} within {DEADLINE_S} s"
        time.sleep(0.05)


def test_promote_and_rollback_under_load_on_two_backends(database_url, demo_model, engine, tmp_path):
    from driftwatch_core.features import example_transaction

    transaction = example_transaction()
    with (
        run_backend(database_url, tmp_path / "a.log") as a,
        run_backend(database_url, tmp_path / "b.log") as b,
    ):
        first = champion_of(engine)
        assert first == demo_model
        second = add_version(engine)
        with httpx.Client(headers=auth(), timeout=10) as http, Load([a, b], transaction) as load:
            load.wait_until(lambda: {base for base, *_ in load.answers} == {a, b}, "both backends answer")
            assert http.post(f"{a}/api/v1/models/fraud/versions/{second}/promote").status_code == 200
            # Every process answers with the new version, without a restart (within ROUTING_POLL_S
            # and the time to load it: about a second, waited for with a generous deadline).
            for base in (a, b):
                answered_by(http, base, transaction, second)
            load.wait_until(lambda: load.count(second, a) >= 50 and load.count(second, b) >= 50, "50 each by second")
            assert http.post(f"{b}/api/v1/models/fraud/rollback").status_code == 200
            for base in (a, b):
                answered_by(http, base, transaction, first)
            after = len(load.answers)
            load.wait_until(lambda: load.count(first, a, after) >= 50 and load.count(first, b, after) >= 50, "50 more")
        assert champion_of(engine) == first

    assert load.errors == []
    versions = Counter(body["model_version"] for _, _, body, _ in load.answers)
    assert set(versions) == {first, second}, versions
    # Every response names the version that scored it, in the body and the header ...
    assert all(body["model_version"] == header for _, _, body, header in load.answers)
    # ... and that version is the one whose score was stored (requests in flight finish on theirs).
    by_id = {uuid.UUID(body["prediction_id"]): body for _, _, body, _ in load.answers}
    deadline = time.monotonic() + DEADLINE_S
    with Session(engine) as session:
        while True:
            stored = dict(
                session.execute(select(Prediction.id, Prediction.model_version).where(Prediction.id.in_(by_id))).all()
            )
            if len(stored) == len(by_id) or time.monotonic() > deadline:
                break
            session.rollback()
            time.sleep(0.2)
    assert len(stored) == len(by_id)
    assert all(stored[i] == body["model_version"] for i, body in by_id.items())
    # The answer's threshold is the answering version's own (the copy has 0.99).
    assert all((body["threshold"] == 0.99) == (body["model_version"] == second) for body in by_id.values())
