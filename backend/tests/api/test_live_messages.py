"""Every message the live channel sends is a ``LiveMessage``, as /openapi.json publishes it.

The broadcaster is driven by hand against the real database (no timing): a
baseline poll, a poll after a finished run, an alert and a scenario switch, an
outage and its end, and two clients joining (one during the outage).
"""

from __future__ import annotations

import asyncio
import json

import jsonschema_rs  # comes with schemathesis (requirements-dev.txt)
from sqlalchemy.orm import Session

from app.api.live import QUEUE_SIZE, Broadcaster
from app.schemas.live import LIVE_MESSAGE
from driftwatch_core.stages import record_event
from driftwatch_testing import add_open_alert, add_run

KINDS = {"stats", "drift", "alerts", "simulator", "models", "degraded", "recovered"}


def _drain(queue: asyncio.Queue) -> list[dict]:
    messages = []
    while not queue.empty():
        messages.append(queue.get_nowait())
    return messages


def _subscribe_without_polling(broadcaster: Broadcaster) -> asyncio.Queue:
    queue = broadcaster.subscribe()
    broadcaster.task.cancel()  # created, never run: these tests poll by hand
    return queue


async def _every_kind_of_message(client, engine, transaction) -> list[dict]:
    broadcaster = Broadcaster(client.app.state.driftwatch, "fraud", interval_s=60)
    listener: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
    broadcaster.subscribers.add(listener)

    await broadcaster.tick()  # the baseline: stats only
    assert client.post("/api/v1/predict", json=transaction).status_code == 200
    add_run(engine)
    add_open_alert(engine)
    with Session(engine) as session, session.begin():
        record_event(session, "fraud", "gate", "held: only 3 of the 300 labelled rows needed", actor="worker")
    assert client.put("/api/v1/simulator", json={"scenario": "sudden", "rps": 25}).status_code == 200
    await asyncio.sleep(1.1)  # past the stats cache
    await broadcaster.tick()  # stats, drift, alerts, simulator, models

    joined = _subscribe_without_polling(broadcaster)  # gets the latest stats at once
    broadcaster._degrade(ConnectionError("the database went away"))
    during = _subscribe_without_polling(broadcaster)  # gets the degraded message at once
    broadcaster._recovered()
    return _drain(listener) + _drain(joined) + _drain(during)


def test_every_message_the_broadcaster_sends_is_a_documented_live_message(client, clean_db, transaction):
    messages = asyncio.run(_every_kind_of_message(client, clean_db, transaction))
    assert {m["type"] for m in messages} == KINDS
    components = client.get("/openapi.json").json()["components"]
    documented = jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/LiveMessage", "components": components}, validate_formats=True
    )
    for message in messages:
        text = json.dumps(message)  # what goes over the socket
        LIVE_MESSAGE.validate_json(text)
        documented.validate(json.loads(text))


def test_the_stats_and_simulator_messages_are_what_the_routes_answer(client, clean_db, transaction):
    messages = asyncio.run(_every_kind_of_message(client, clean_db, transaction))
    by_kind = {m["type"]: m["data"] for m in messages}
    assert set(by_kind["stats"]) == set(client.get("/api/v1/stats").json())
    assert by_kind["stats"]["total_predictions"] == 1
    simulator = client.get("/api/v1/simulator").json()
    assert {k: v for k, v in by_kind["simulator"].items() if k != "elapsed_s"} == {
        k: v for k, v in simulator.items() if k != "elapsed_s"
    }
    assert by_kind["alerts"]["open"] == 1
    # The newest event: the scenario switch is on the timeline too (after the gate's note).
    assert by_kind["models"]["kind"] == "scenario" and by_kind["models"]["model"] == "fraud"
    assert by_kind["models"]["message"] == "Traffic: Sudden shift"
    assert by_kind["recovered"]["since"] == by_kind["degraded"]["since"]
