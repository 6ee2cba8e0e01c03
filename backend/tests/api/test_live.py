"""WS /ws/live against a real uvicorn: stats every second, drift/alerts/simulator events on change."""

from __future__ import annotations

import json
import time
from datetime import datetime

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from websockets.sync.client import ClientConnection, connect

from driftwatch_core.db.models import Alert, Incident, utcnow
from driftwatch_testing import (
    add_open_alert,
    add_run,
    auth,
    clear_tables,
    database_behind_proxy,
    insert_demo,
    run_backend,
)


@pytest.fixture(scope="module")
def backend(engine, database_url, tmp_path_factory):
    clear_tables(engine)
    insert_demo(engine)
    log_path = tmp_path_factory.mktemp("live") / "backend.log"
    with run_backend(database_url, log_path, LIVE_PUSH_INTERVAL_S="1") as base:
        yield base


@pytest.fixture
def ws(backend):
    with connect(backend.replace("http", "ws", 1) + "/ws/live", open_timeout=10) as conn:
        next_event(conn, "stats")  # the broadcaster has taken its baseline
        yield conn


def next_event(conn: ClientConnection, kind: str, timeout_s: float = 15.0) -> dict:
    """The next message of ``kind``, skipping others; fails after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(conn.recv(timeout=left))
        except TimeoutError:
            break
        assert set(message) == {"type", "data"}, message
        if message["type"] == kind:
            return message["data"]
    raise AssertionError(f"no {kind!r} event within {timeout_s} s")


@pytest.mark.slow
def test_stats_arrive_every_second_and_count_predictions(ws, backend, transaction):
    first = next_event(ws, "stats")
    response = httpx.post(f"{backend}/api/v1/predict", json=transaction, timeout=10, headers=auth())
    assert response.status_code == 200, response.text
    later = [next_event(ws, "stats") for _ in range(3)]
    times = [datetime.fromisoformat(s["as_of"]) for s in (first, *later)]
    assert times == sorted(times)  # a tick never sends older figures than the one before
    assert {"total_predictions", "last_minute", "positive_rate", "model", "model_version"} <= set(first)
    assert first["model"] == "fraud"
    assert later[-1]["total_predictions"] == first["total_predictions"] + 1
    assert later[-1]["last_minute"]["latency_ms"]["p50"] is not None


@pytest.mark.slow
def test_a_finished_run_is_pushed_and_an_unfinished_one_is_not(ws, engine):
    add_run(engine, finished=False)
    with pytest.raises(AssertionError):
        next_event(ws, "drift", timeout_s=1.5)  # an unfinished run is not news
    run_id = add_run(engine, finished=True)
    data = next_event(ws, "drift")
    assert data["run_id"] == run_id and data["finished_at"]


@pytest.mark.slow
def test_every_connection_gets_the_event(ws, backend, engine):
    with connect(backend.replace("http", "ws", 1) + "/ws/live") as other:
        next_event(other, "stats")
        run_id = add_run(engine, finished=True)
        assert next_event(ws, "drift")["run_id"] == run_id
        assert next_event(other, "drift")["run_id"] == run_id


@pytest.mark.slow
def test_alert_changes_are_pushed_with_the_open_count(ws, engine):
    alert_id = add_open_alert(engine)
    opened = next_event(ws, "alerts")
    assert opened["open"] >= 1 and opened["updated_at"]
    with Session(engine) as session, session.begin():
        session.execute(update(Alert).where(Alert.id == alert_id).values(status="acknowledged", updated_at=utcnow()))
    acknowledged = next_event(ws, "alerts")
    assert acknowledged["open"] == opened["open"] - 1
    assert acknowledged["updated_at"] > opened["updated_at"]


@pytest.mark.slow
def test_incident_changes_are_pushed_with_the_counts_and_the_newest(ws, engine):
    now = utcnow()
    with Session(engine) as session, session.begin():
        incident = Incident(
            model_name="fraud",
            cause="drift",
            status="open",
            severity="critical",
            title="Input drift: 3 of 13 features shifted",
            summary="",
            opened_at=now,
            updated_at=now,
            peak={},
            details={},
        )
        session.add(incident)
        session.flush()
        incident_id = incident.id
    opened = next_event(ws, "incidents")
    assert opened["open"] >= 1 and opened["newest"]["id"] == incident_id
    assert (
        opened["newest"]["title"] == "Input drift: 3 of 13 features shifted" and opened["newest"]["resolved_at"] is None
    )
    with Session(engine) as session, session.begin():
        session.execute(
            # as the worker and the API change one: updated_at moves with it
            update(Incident)
            .where(Incident.id == incident_id)
            .values(status="resolved", resolved_at=utcnow(), updated_at=utcnow())
        )
    resolved = next_event(ws, "incidents")
    assert resolved["open"] == opened["open"] - 1 and resolved["resolved"] == opened["resolved"] + 1
    assert resolved["newest"]["status"] == "resolved" and resolved["newest"]["resolved_at"]


@pytest.mark.slow
def test_a_scenario_change_pushes_the_simulator_state(ws, backend):
    response = httpx.put(
        f"{backend}/api/v1/simulator", json={"scenario": "sudden", "rps": 25}, timeout=10, headers=auth()
    )
    assert response.status_code == 200, response.text
    data = next_event(ws, "simulator")
    assert data["scenario"] == "sudden" and data["rps"] == 25
    assert "sudden" in [s["name"] for s in data["scenarios"]]
    httpx.put(f"{backend}/api/v1/simulator", json={"scenario": "sudden", "rps": 40}, timeout=10, headers=auth())
    assert next_event(ws, "simulator")["rps"] == 40


def test_the_broadcaster_polls_only_while_someone_listens(client):
    with client.websocket_connect("/ws/live") as first:
        assert first.receive_json()["type"] == "stats"
        broadcaster = client.app.state.live["fraud"]  # one per model: the default one without ?model=
        task = broadcaster.task
        assert task is not None and not task.done()
        with client.websocket_connect("/ws/live") as second:
            # a newcomer gets the latest stats at once and shares the one poller
            assert second.receive_json()["type"] == "stats"
            assert broadcaster.task is task and len(broadcaster.subscribers) == 2
    deadline = time.monotonic() + 15
    while broadcaster.subscribers or broadcaster.task is not None:
        assert time.monotonic() < deadline, "the poller outlived its last listener"
        time.sleep(0.05)
    assert task.cancelled() or task.done()


@pytest.mark.slow
def test_the_channel_survives_a_database_outage_and_says_so(database_url, demo_model, tmp_path):
    with database_behind_proxy(database_url) as (proxy, via_proxy):
        with (
            run_backend(via_proxy, tmp_path / "backend.log") as base,
            connect(base.replace("http", "ws", 1) + "/ws/live") as conn,
        ):
            next_event(conn, "stats")
            cut_at = utcnow()
            proxy.cut()
            degraded = next_event(conn, "degraded", timeout_s=15)  # about 1 s here; no timing assert
            assert degraded["reason"] == "database unavailable"
            assert datetime.fromisoformat(degraded["since"]) >= cut_at
            # A client that connects meanwhile is told at once, before any stats.
            with connect(base.replace("http", "ws", 1) + "/ws/live") as late:
                first = json.loads(late.recv(timeout=5))
                assert first["type"] == "degraded" and first["data"] == degraded
            time.sleep(2)  # polls keep failing meanwhile; the socket must stay open
            proxy.start()
            restored = utcnow()
            recovered = next_event(conn, "recovered", timeout_s=15)
            assert recovered["since"] == degraded["since"]
            assert datetime.fromisoformat(recovered["at"]) >= restored
            deadline = time.monotonic() + 15
            while datetime.fromisoformat(next_event(conn, "stats", timeout_s=15)["as_of"]) < restored:
                assert time.monotonic() < deadline, "no fresh stats after the database came back"
        log = (tmp_path / "backend.log").read_text()
        assert log.count("live channel poll failed") == 1, "one warning per outage, not one per second"
        assert "live channel poll recovered" in log
