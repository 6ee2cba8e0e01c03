"""Stages through the API: promote, rollback, shadow, canary, retire; events; answers name their version.

In process, with the routing poller stopped (``without_poller``): a test reads the registry itself
(``runtime.router.refresh()``, what each backend's poller does every ``ROUTING_POLL_S``) instead of
waiting for a poll; ``test_live_switching`` waits for the polls of two backend processes."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from driftwatch_core.db.models import ModelEvent, Prediction
from driftwatch_core.stages import bucket
from driftwatch_testing import DEMO_MODEL, TEST_PREDICT_KEY, auth

from .conftest import champion_of, without_poller

API = "/api/v1"


def answering(client, transaction, expected: str) -> dict:
    """Read the registry as the poller does, then predict: ``expected`` answers; the answer."""
    client.app.state.driftwatch.router.refresh()
    body = client.post(f"{API}/predict", json=transaction).json()
    assert body["model_version"] == expected
    return body


def test_promote_and_rollback_switch_the_answering_version_without_a_restart(client, engine, versions, transaction):
    first, second = versions
    without_poller(client)
    before = client.post(f"{API}/predict", json=transaction)
    assert before.json()["model_version"] == first == before.headers["X-Model-Version"]
    assert before.json()["stage"] == "champion"

    promoted = client.post(f"{API}/models/fraud/versions/{second}/promote", json={"reason": "better on recent labels"})
    assert promoted.status_code == 200, promoted.text
    body = promoted.json()
    assert body["stages"]["champion"] == second and body["stages"]["previous_champion"] == first
    assert body["event"]["kind"] == "promoted" and "better on recent labels" in body["event"]["message"]
    assert body["event"]["actor"].startswith("admin:")
    answer = answering(client, transaction, second)
    assert answer["threshold"] == pytest.approx(0.99)

    rolled = client.post(f"{API}/models/fraud/rollback")
    assert rolled.status_code == 200 and rolled.json()["stages"]["champion"] == first
    answering(client, transaction, first)
    # A second rollback undoes the first.
    assert client.post(f"{API}/models/fraud/rollback").json()["stages"]["champion"] == second
    assert champion_of(engine) == second

    kinds = [e["kind"] for e in client.get(f"{API}/models/fraud/events").json()]
    assert kinds[:3] == ["rolled_back", "rolled_back", "promoted"]
    assert [e["kind"] for e in client.get(f"{API}/events", params={"limit": 3}).json()] == kinds[:3]


def test_refused_changes_say_why_and_change_nothing(client, engine, versions):
    first, second = versions
    cases = [
        (f"/models/fraud/versions/{first}/promote", {}, 409, "already the champion"),
        (f"/models/fraud/versions/{first}/retire", {}, 409, "promote another version"),
        (f"/models/fraud/versions/{first}/shadow", {}, 409, "is the champion"),
        ("/models/fraud/rollback", {}, 409, "no previous champion"),
        (f"/models/fraud/versions/{second}/rollback", {}, 409, "is not the champion"),
        ("/models/fraud/versions/nope/promote", {}, 404, "has no version 'nope'"),
        (f"/models/nope/versions/{second}/promote", {}, 404, "no model named 'nope'"),
    ]
    for path, body, status, words in cases:
        answer = client.post(API + path, json=body)
        assert answer.status_code == status, (path, answer.text)
        assert words in answer.json()["detail"], (path, answer.json())
    bad_share = client.post(f"{API}/models/fraud/versions/{second}/canary", json={"share": 1.5})
    assert bad_share.status_code == 422 and "share" in bad_share.text
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ModelEvent).where(ModelEvent.kind != "registered")) == 1
    assert champion_of(engine) == first


def test_stage_changes_need_the_admin_role(client, versions):
    _, second = versions
    path = f"{API}/models/fraud/versions/{second}/promote"
    assert client.post(path, headers={"X-API-Key": "not-a-key-of-this-server-0123456789"}).status_code == 401
    assert client.post(path, headers=auth(TEST_PREDICT_KEY)).status_code == 403


def test_a_canary_answers_its_share_of_entities_and_the_same_entity_always_the_same_way(client, versions, transaction):
    first, second = versions
    assert client.post(f"{API}/models/fraud/versions/{second}/canary", json={"share": 0.2}).status_code == 200
    without_poller(client).router.refresh()
    entities = [f"card-{i}" for i in range(600)]
    answered = {}
    for entity in entities:
        body = client.post(f"{API}/predict", json=transaction, headers={"X-Entity-ID": entity}).json()
        answered[entity] = (body["model_version"], body["stage"])
    # The entity's hash decides (the same in every process), and the hash spreads entities evenly.
    assert all(version == (second if bucket(e, b"") < 0.2 else first) for e, (version, _) in answered.items())
    canary = sum(1 for version, _ in answered.values() if version == second)
    assert 0.15 * 600 <= canary <= 0.25 * 600, canary
    assert 0.19 * 100_000 <= sum(bucket(f"card-{i}", b"") < 0.2 for i in range(100_000)) <= 0.21 * 100_000
    assert all(stage == ("canary" if version == second else "champion") for version, stage in answered.values())
    for entity in ("card-1", "card-2", "card-3", "card-4", "card-5"):
        again = {
            client.post(f"{API}/predict", json=transaction, headers={"X-Entity-ID": entity}).json()["model_version"]
            for _ in range(5)
        }
        assert again == {answered[entity][0]}


def test_a_shadow_scores_every_answered_request_after_the_answer_and_is_never_seen(
    client, engine, versions, transaction
):
    first, second = versions
    assert client.post(f"{API}/models/fraud/versions/{second}/shadow").json()["stages"]["mode"] == "shadow"
    runtime = without_poller(client)
    runtime.router.refresh()
    answers = [client.post(f"{API}/predict", json=transaction).json() for _ in range(20)]
    assert {a["model_version"] for a in answers} == {first}
    assert runtime.shadow.wait_idle() and runtime.writer.wait_written()
    ids = {uuid.UUID(a["prediction_id"]) for a in answers}
    with Session(engine) as session:
        shadows = session.execute(select(Prediction).where(Prediction.shadow_of.is_not(None))).scalars().all()
        assert {s.shadow_of for s in shadows} == ids
        assert {s.model_version for s in shadows} == {second}
        assert all(s.threshold == pytest.approx(0.99) and s.is_fraud == (s.probability >= 0.99) for s in shadows)
        answered = {p.id: p for p in session.scalars(select(Prediction).where(Prediction.id.in_(ids)))}
        assert all(answered[s.shadow_of].created_at == s.created_at for s in shadows)
    # Never answered: not listed, not counted, not labelled.
    listed = client.get(f"{API}/predictions", params={"limit": 100}).json()
    assert listed["total"] == 20 and {uuid.UUID(i["prediction_id"]) for i in listed["items"]} == ids
    label = client.post(f"{API}/feedback", json={"prediction_id": str(shadows[0].id), "label": True})
    assert label.status_code == 404


class _Blocked:
    """A scorer that waits for ``release`` before scoring (a slow challenger)."""

    def __init__(self, scorer, release: threading.Event) -> None:
        self._scorer, self._release = scorer, release
        self.format, self.n_features, self.explainable = scorer.format, scorer.n_features, False

    def predict_proba(self, X):
        self._release.wait(30)
        return self._scorer.predict_proba(X)


def test_a_full_shadow_queue_drops_shadow_rows_never_answers(database_url, demo_model, engine, transaction):
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from app.core.config import Settings
    from app.main import create_app
    from driftwatch_testing import TEST_ADMIN_KEY, until_ready

    from .conftest import add_version

    settings = Settings(
        database_url=database_url,
        write_interval_ms=20,
        admin_api_keys=TEST_ADMIN_KEY,
        allowed_hosts="testserver",
        shadow_queue_max=5,
    )
    with TestClient(create_app(settings), headers=auth()) as client:
        until_ready(client)
        second = add_version(engine)
        assert client.post(f"{API}/models/fraud/versions/{second}/shadow").status_code == 200
        runtime = without_poller(client)
        runtime.router.refresh()
        release = threading.Event()
        slow = runtime.router.version(second)
        runtime.router._loaded[second] = replace(slow, scorer=_Blocked(slow.scorer, release))
        answers = [client.post(f"{API}/predict", json=transaction) for _ in range(40)]
        assert all(a.status_code == 200 for a in answers)
        release.set()
        assert runtime.shadow.wait_idle() and runtime.writer.wait_written()
        with Session(engine) as session:
            answered = session.scalar(
                select(func.count()).select_from(Prediction).where(Prediction.shadow_of.is_(None))
            )
            shadows = session.scalar(
                select(func.count()).select_from(Prediction).where(Prediction.shadow_of.is_not(None))
            )
        assert answered == 40  # every answer stored
        assert 1 <= shadows <= 10  # the batch being scored (at most a full queue) and a full queue behind it
        assert runtime.shadow.dropped == 40 - shadows
        metrics = client.get("/metrics").text
        assert f'driftwatch_shadow_dropped_total{{model="{DEMO_MODEL}"}} {float(40 - shadows)}' in metrics


def test_the_comparison_returns_the_current_pairs_points_over_the_asked_time_oldest_first(client, engine, versions):
    from datetime import timedelta

    from driftwatch_core.db.models import VersionComparison, utcnow

    first, second = versions
    assert client.post(f"{API}/models/fraud/versions/{second}/shadow").status_code == 200
    now = utcnow()
    with Session(engine) as session, session.begin():
        for minutes_ago, diff in ((90, 0.01), (20, 0.05), (10, 0.07)):
            session.add(
                VersionComparison(
                    model_name=DEMO_MODEL,
                    computed_at=now - timedelta(minutes=minutes_ago),
                    champion_version=first,
                    challenger_version=second,
                    mode="shadow",
                    n_paired=1000,
                    n_labelled=800,
                    details={"auc_diff": {"estimate": diff, "low": diff - 0.02, "high": diff + 0.02}},
                )
            )
    body = client.get(f"{API}/models/fraud/comparison", params={"minutes": 60}).json()
    assert body["stages"]["challenger"] == second and body["stages"]["mode"] == "shadow"
    assert [p["details"]["auc_diff"]["estimate"] for p in body["points"]] == [0.05, 0.07]
    assert len(client.get(f"{API}/models/fraud/comparison", params={"minutes": 120}).json()["points"]) == 3
    assert client.get(f"{API}/models/nope/comparison").status_code == 404
    assert client.get(f"{API}/models/fraud/comparison", params={"minutes": 0}).status_code == 422
