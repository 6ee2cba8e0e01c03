"""Switching live under load, across processes: two backends, 100 req/s, a promote and a rollback."""

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


def first_answer_by(http: httpx.Client, base: str, transaction: dict, version: str, timeout_s: float) -> float:
    """Seconds until ``base`` answers with ``version`` (polled every 50 ms)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if http.post(f"{base}/api/v1/predict", json=transaction).json()["model_version"] == version:
            return time.monotonic() - started
        time.sleep(0.05)
    return float("inf")


def test_promote_and_rollback_under_load_on_two_backends(database_url, model_dir, clean_db, engine, tmp_path):
    from driftwatch_core.features import example_transaction

    transaction = example_transaction()
    with (
        run_backend(database_url, model_dir, tmp_path / "a.log") as a,
        run_backend(database_url, model_dir, tmp_path / "b.log") as b,
    ):
        first = champion_of(engine)
        assert first is not None
        second = add_version(engine)
        with httpx.Client(headers=auth(), timeout=10) as http, Load([a, b], transaction) as load:
            time.sleep(2)
            promoted_at = time.monotonic()
            assert http.post(f"{a}/api/v1/models/fraud/versions/{second}/promote").status_code == 200
            # Every process answers with the new version within 5 s, without a restart.
            waits = [first_answer_by(http, base, transaction, second, 5.0) for base in (a, b)]
            assert max(waits) <= 5.0, waits
            time.sleep(max(0.0, 3 - (time.monotonic() - promoted_at)))
            assert http.post(f"{b}/api/v1/models/fraud/rollback").status_code == 200
            waits = [first_answer_by(http, base, transaction, first, 5.0) for base in (a, b)]
            assert max(waits) <= 5.0, waits
            time.sleep(2)
        assert champion_of(engine) == first

    assert load.errors == []
    assert len(load.answers) >= 500  # about 100 req/s for the test's ~9 s
    versions = Counter(body["model_version"] for _, _, body, _ in load.answers)
    assert set(versions) == {first, second} and versions[second] > 50, versions
    # Every response names the version that scored it, in the body and the header ...
    assert all(body["model_version"] == header for _, _, body, header in load.answers)
    # ... and that version is the one whose score was stored (requests in flight finish on theirs).
    by_id = {uuid.UUID(body["prediction_id"]): body for _, _, body, _ in load.answers}
    deadline = time.monotonic() + 10
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
