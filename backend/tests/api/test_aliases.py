"""The unscoped routes (``/predict``, ``/drift`` …) are aliases of their ``/models/{name}/…`` twins for
``DEFAULT_MODEL``: declared so in OpenAPI, the only routes written twice, and answering exactly as the
twin does for the default model, errors included.

The requests are built from the OpenAPI document itself: each query parameter's schema gives a valid
value and invalid ones (missing when required, out of its range, not of its enum or format; an unknown
feature for ``feature``), each body's examples a valid body and invalid ones (a bad field, an unknown
one, an empty body, the wrong content type). Two answers are compared after normalising only what
differs by nature between two calls (``VOLATILE``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from driftwatch_core.generator import TransactionGenerator
from driftwatch_testing import auth, insert_demo, until_ready

API = "/api/v1"
TWIN_PREFIX = f"{API}/models/{{name}}"
#: What the lead's refactor made aliases: one missing here would be a route dropped, not an alias.
EXPECTED = {
    ("post", "/predict"),
    ("post", "/predict/batch"),
    ("post", "/explain"),
    ("get", "/explain/global"),
    ("post", "/feedback"),
    ("get", "/model"),
    ("get", "/stats"),
    ("get", "/stats/history"),
    ("get", "/drift"),
    ("get", "/drift/summary"),
    ("get", "/drift/history"),
    ("get", "/performance"),
    ("get", "/alerts"),
    ("get", "/incidents"),
    ("get", "/events"),
    ("get", "/predictions"),
}
#: Fields that differ between two calls by nature: new ids, time taken, time of computation.
VOLATILE = frozenset({"prediction_id", "latency_ms", "as_of", "duration_s"})
JSON = {"content-type": "application/json"}


@dataclass
class Call:
    """One request, sent to an alias and to its twin."""

    what: str
    params: dict = field(default_factory=dict)
    body: object = None  # JSON, or raw bytes with ``headers``
    headers: dict = field(default_factory=dict)
    fresh_prediction: bool = False  # the body labels a new prediction each time (a label is stored once)


def _operations(document: dict) -> dict[tuple[str, str], dict]:
    return {(method, path): op for path, ops in document["paths"].items() for method, op in ops.items()}


def _twin_of(path: str) -> str:
    return TWIN_PREFIX + path.removeprefix(API)


@pytest.fixture
def document(client) -> dict:
    return client.get("/openapi.json").json()


# --- The document --------------------------------------------------------------------------------


def test_the_aliases_are_exactly_the_unscoped_routes_with_a_model_twin(document):
    operations = _operations(document)
    aliases = {key: op["x-alias-of"] for key, op in operations.items() if "x-alias-of" in op}
    with_twin = {
        (method, path)
        for method, path in operations
        if not path.startswith(f"{API}/models") and (method, _twin_of(path)) in operations
    }
    # No route is written twice without being an alias, and every alias is of its own twin.
    assert set(aliases) == with_twin
    assert {(method, path.removeprefix(API)) for method, path in aliases} == EXPECTED
    for (method, path), twin in aliases.items():
        assert twin == _twin_of(path), (method, path)


def _untitled(response: dict) -> dict:
    """A response without its schema's title (FastAPI names an unnamed list after the operation)."""
    media = {
        kind: {**m, "schema": {k: v for k, v in m["schema"].items() if k != "title"}}
        for kind, m in response.get("content", {}).items()
    }
    return {**response, "content": media}


def test_an_alias_is_documented_as_its_twin_without_the_name(document):
    operations = _operations(document)
    for (method, path), alias in operations.items():
        if "x-alias-of" not in alias:
            continue
        twin = operations[(method, alias["x-alias-of"])]
        assert alias["operationId"] == twin["operationId"] + "ForDefaultModel", path
        assert [p for p in twin.get("parameters", []) if p["name"] != "name"] == alias.get("parameters", []), path
        assert alias.get("requestBody") == twin.get("requestBody"), path
        ok = next(s for s in ("200", "201", "202") if s in twin["responses"])
        assert _untitled(alias["responses"][ok]) == _untitled(twin["responses"][ok]), path
        assert alias["x-alias-of"] in alias["description"], path  # /docs says whose alias it is


# --- Requests built from the document --------------------------------------------------------------


def _schema(parameter: dict) -> dict:
    """A parameter's schema without its ``null`` option."""
    schema = parameter["schema"]
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    return {**options[0], **{k: v for k, v in schema.items() if k not in ("anyOf",)}}


def _query_calls(parameters: list[dict], feature: str) -> Iterator[Call]:
    """A call with every query parameter valid, then one per way of getting each one wrong."""
    query = [p for p in parameters if p["in"] == "query"]
    recent = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    valid: dict = {}
    for p in query:
        schema = _schema(p)
        if p["name"] == "feature":
            valid[p["name"]] = feature
        elif "enum" in schema:
            valid[p["name"]] = schema["enum"][0]
        elif schema.get("format") == "date-time":
            valid[p["name"]] = recent
        elif schema.get("type") == "integer":
            valid[p["name"]] = schema.get("default", schema.get("minimum", 1))
    yield Call("valid", valid)
    yield Call("defaults", {k: v for k, v in valid.items() if any(p["name"] == k and p["required"] for p in query)})
    for p in query:
        name, schema = p["name"], _schema(p)
        if p["required"]:
            yield Call(f"{name} missing", {k: v for k, v in valid.items() if k != name})
        if name == "feature":
            yield Call("unknown feature", {**valid, name: "no_such_feature"})
        if "enum" in schema:
            yield Call(f"{name} not in its enum", {**valid, name: "no-such-value"})
        if schema.get("format") == "date-time":
            yield Call(f"{name} not a time", {**valid, name: "yesterday"})
        if "maximum" in schema:
            yield Call(f"{name} over its maximum", {**valid, name: schema["maximum"] + 1})
        if "minimum" in schema:
            yield Call(f"{name} under its minimum", {**valid, name: schema["minimum"] - 1})


def _example(document: dict, body_schema: dict) -> object:
    name = body_schema["$ref"].rsplit("/", 1)[-1]
    return copy.deepcopy(document["components"]["schemas"][name]["examples"][0])


def _bad_row(row: dict) -> dict:
    """The row with its first feature given a value no schema accepts."""
    first = next(iter(row))
    return {**row, first: {"not": "a value"}}


def _body_calls(document: dict, operation: dict) -> Iterator[Call]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    example = _example(document, schema)
    name = schema["$ref"].rsplit("/", 1)[-1]
    if name == "FeedbackIn":
        yield Call("valid", body=example, fresh_prediction=True)
        yield Call("unknown prediction", body=example)
        yield Call("bad label", body={**example, "label": 2})
        yield Call("unknown field", body={**example, "nope": 1})
    elif name == "RowsIn":
        rows = example["rows"]
        yield Call("valid", body=example)
        yield Call("bad field in the second row", body={"rows": [rows[0], _bad_row(rows[0])]})
        yield Call("unknown feature", body={"rows": [{**rows[0], "no_such_feature": 1}]})
        yield Call("no rows", body={"rows": []})
        yield Call("a row without the envelope", body=rows[0])
    else:  # a row
        yield Call("valid", body=example)
        yield Call("bad field", body=_bad_row(example))
        yield Call("unknown feature", body={**example, "no_such_feature": 1})
        yield Call("missing feature", body=dict(list(example.items())[1:]))
    yield Call("empty body", body=b"", headers=JSON)
    yield Call("not JSON", body=b"{", headers=JSON)
    yield Call("wrong content type", body=json.dumps(example).encode(), headers={"content-type": "text/plain"})


def _calls(document: dict, operation: dict) -> list[Call]:
    feature = next(iter(_example(document, {"$ref": "#/components/schemas/RowIn"})))
    if operation.get("requestBody"):
        return list(_body_calls(document, operation))
    return list(_query_calls(operation.get("parameters", []), feature))


def _normalised(value):
    if isinstance(value, dict):
        return {k: "<volatile>" if k in VOLATILE else _normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _send(client: TestClient, document: dict, method: str, path: str, call: Call, model: str):
    body = call.body
    if call.fresh_prediction:  # a prediction of its own to label, so both calls store one label
        row = _example(document, {"$ref": "#/components/schemas/RowIn"})
        scored = client.post(f"{API}/models/{model}/predict", json=row).json()
        body = {**body, "prediction_id": scored["prediction_id"]}
        client.app.state.driftwatch.writer.wait_written(10)
    if isinstance(body, bytes):
        return client.request(method, path, params=call.params, content=body, headers=call.headers)
    return client.request(method, path, params=call.params, json=body, headers=call.headers)


def _answer(response) -> tuple:
    try:
        body = response.json()
    except ValueError:
        body = response.text
    headers = {h: response.headers.get(h) for h in ("content-type", "x-model-version", "retry-after")}
    return response.status_code, headers, _normalised(body)


def _compare_every_alias(client: TestClient, document: dict, model: str) -> dict[str, set[int]]:
    """Send each alias's calls to it and to ``/models/{model}/…``; the statuses seen per alias. Writes
    first (their predictions are stored before any read), then reads."""
    operations = _operations(document)
    aliases = sorted(
        ((method, path, op) for (method, path), op in operations.items() if "x-alias-of" in op),
        key=lambda item: (item[0] == "get", item[1]),
    )
    statuses: dict[str, set[int]] = {}
    for method, path, operation in aliases:
        if method == "get":
            client.app.state.driftwatch.writer.wait_written(10)
        twin = operation["x-alias-of"].replace("{name}", model)
        for call in _calls(document, operation):
            expected = _answer(_send(client, document, method, twin, call, model))
            got = _answer(_send(client, document, method, path, call, model))
            assert got == expected, f"{method.upper()} {path} ({call.what}) answered unlike {twin}"
            statuses.setdefault(f"{method} {path}", set()).add(expected[0])
    return statuses


def _traffic_and_a_cycle(client, settings) -> None:
    """Predictions, labels and one worker cycle: drift, performance, alerts and an incident to read."""
    from driftwatch_core.db.engine import make_engine
    from worker.config import WorkerSettings
    from worker.cycle import Monitor

    batch = TransactionGenerator(seed=31).sample(400)
    answer = client.post(f"{API}/predict/batch", json={"rows": batch.records()})
    ids = [p["prediction_id"] for p in answer.json()["predictions"]]
    items = [{"prediction_id": i, "label": bool(y)} for i, y in zip(ids, batch.labels, strict=True)]
    assert client.post(f"{API}/feedback", json={"items": items}).status_code == 200
    assert client.app.state.driftwatch.writer.wait_written(10)
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        Monitor(WorkerSettings(database_url=settings.database_url, min_labels=10), engine).run_cycle()
    finally:
        engine.dispose()


def test_every_alias_answers_exactly_as_its_twin_of_the_default_model(client, settings, document):
    _traffic_and_a_cycle(client, settings)
    statuses = _compare_every_alias(client, document, "fraud")
    assert set(statuses) == {f"{method} {API}{path}" for method, path in EXPECTED}
    # The calls reached both sides of each route: answers and refusals.
    assert all(200 in seen for seen in statuses.values()), statuses
    assert {404, 415, 422} <= set().union(*statuses.values()), statuses
    assert client.get(f"{API}/drift").json()["status"] == "ok"  # there was something to compare


@pytest.fixture
def other_default(settings, demo_model, clean_db):
    """An app whose DEFAULT_MODEL is ``other``: the demo model registered a second time."""
    insert_demo(clean_db, name="other")
    with TestClient(create_app(settings.model_copy(update={"default_model": "other"})), headers=auth()) as c:
        yield until_ready(c)


def test_with_another_default_model_the_aliases_answer_for_it(other_default):
    client = other_default
    document = client.get("/openapi.json").json()
    statuses = _compare_every_alias(client, document, "other")
    assert all(200 in seen for seen in statuses.values()), statuses
    served = client.get(f"{API}/model").json()["version"]
    assert served.endswith("-other") and served == client.get(f"{API}/models/other/model").json()["version"]
    assert served != client.get(f"{API}/models/fraud/model").json()["version"]
    row = _example(document, {"$ref": "#/components/schemas/RowIn"})
    assert client.post(f"{API}/predict", json=row).json()["model"] == "other"
    assert client.get(f"{API}/stats").json()["model"] == "other"
    defaults = {m["name"]: m["is_default"] for m in client.get(f"{API}/models").json()}
    assert defaults == {"other": True, "fraud": False}


def test_an_unregistered_default_model_is_the_twins_404(settings, demo_model):
    with TestClient(create_app(settings.model_copy(update={"default_model": "nope"})), headers=auth()) as c:
        until_ready(c)
        for path in ("/stats", "/drift", "/model"):
            alias, twin = c.get(f"{API}{path}"), c.get(f"{API}/models/nope{path}")
            assert alias.status_code == twin.status_code == 404, path
            assert alias.json() == twin.json() and "no model named 'nope'" in alias.json()["detail"]
