"""The API docs at /docs and the contract clients are generated from: an example for every
endpoint that tells the truth, a response model and a stable operation id for every route,
one problem shape for every error, and the live channel's messages in the components."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from app.api.errors import domain_status
from app.api.main import ROUTE_MODULES
from app.core.errors import DomainError
from app.schemas.errors import FeedbackProblem, Problem, ValidationProblem
from app.schemas.live import LIVE_MESSAGE


def _shape(value):
    """The keys of a JSON value, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value and isinstance(value[0], (dict, list)) else []
    return None


def _operations(client):
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _success(operation) -> str | None:
    return next((status for status in ("200", "201", "202") if status in operation["responses"]), None)


def _example(operation) -> object:
    ok = operation["responses"][_success(operation)]
    (media,) = ok["content"].values()
    return media["example"]


def test_every_endpoint_documents_an_example_and_our_422(client):
    operations = list(_operations(client))
    assert len(operations) >= 20
    for path, method, operation in operations:
        if "204" in operation["responses"]:  # no content, nothing to exemplify
            assert "content" not in operation["responses"]["204"], (method, path)
            continue
        assert _example(operation), (method, path)
        if body := operation.get("requestBody"):
            (media,) = body["content"].values()
            ref = media["schema"]["$ref"].rsplit("/", 1)[-1]
            schema = client.get("/openapi.json").json()["components"]["schemas"][ref]
            assert schema.get("examples") or schema.get("example"), (method, path, ref)
        if "422" in operation["responses"]:
            (media,) = operation["responses"]["422"]["content"].values()
            assert media["schema"]["$ref"].endswith("/ValidationProblem"), (method, path)


def _routes() -> dict:
    return {
        ("/api/v1" + r.path, m.lower()): r
        for module in ROUTE_MODULES
        for r in module.router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }


def test_every_json_route_has_a_response_model_its_examples_validate_against(client):
    routes = _routes()
    checked = 0
    for path, method, operation in _operations(client):
        if _success(operation) is None:
            continue
        (media_type,) = operation["responses"][_success(operation)]["content"]
        if media_type != "application/json":  # /metrics: Prometheus text, typed as a string
            continue
        route = routes[(path, method)]
        # A route that writes its own answer (/predict/batch) documents its model in ``responses``.
        model = route.response_model or route.responses.get(200, {}).get("model")
        assert model is not None, (method, path)
        TypeAdapter(model).validate_python(_example(operation))
        models = {m.__name__: m for m in (Problem, FeedbackProblem, ValidationProblem, model)}
        for status, response in operation["responses"].items():  # captured errors too
            media = response.get("content", {}).get("application/json", {})
            if status != _success(operation) and "example" in media:
                model = models[media["schema"]["$ref"].rsplit("/", 1)[-1]]
                TypeAdapter(model).validate_python(media["example"])
        checked += 1
    assert checked >= 22


@pytest.mark.parametrize(
    "path", ["/model", "/stats", "/stats/history", "/predictions", "/explain/global", "/health", "/ready"]
)
def test_examples_have_the_keys_of_a_live_response(client, transaction, path):
    assert client.post("/api/v1/predict", json=transaction).status_code == 200
    client.app.state.driftwatch.writer.wait_written(5.0)
    operation = client.get("/openapi.json").json()["paths"][f"/api/v1{path}"]["get"]
    live = client.get(f"/api/v1{path}").json()
    assert _shape(_example(operation)) == _shape(live)


def test_the_request_examples_are_accepted_as_they_are(client):
    """What /docs offers to send for predict (a demo row, a batch of them) is scored as it stands."""
    components = client.get("/openapi.json").json()["components"]["schemas"]
    (row,) = components["RowIn"]["examples"]
    (rows,) = components["RowsIn"]["examples"]
    assert client.post("/api/v1/models/fraud/predict", json=row).status_code == 200
    assert client.post("/api/v1/models/fraud/explain", json=row).status_code == 200
    batch = client.post("/api/v1/models/fraud/predict/batch", json=rows)
    assert batch.status_code == 200 and batch.json()["count"] == len(rows["rows"])


def test_metrics_example_names_metrics_the_service_exports(client, transaction):
    assert client.post("/api/v1/predict", json=transaction).status_code == 200
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/metrics"]["get"]
    documented = {line.split()[2] for line in _example(operation).splitlines() if line.startswith("# TYPE")}
    exported = {
        line.split()[2] for line in client.get("/api/v1/metrics").text.splitlines() if line.startswith("# TYPE")
    }
    assert documented and documented <= exported


def test_a_real_422_has_the_documented_shape(client, transaction):
    response = client.post("/api/v1/predict", json={**transaction, "amount": -1})
    assert response.status_code == 422
    problem = ValidationProblem.model_validate(response.json())
    assert problem.errors[0].field == "amount" and problem.detail.startswith("amount: ")


# --- Operation ids -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "method", "operation_id"),
    [
        ("/api/v1/models/{name}/predict", "post", "predict"),
        ("/api/v1/predict", "post", "predictForDefaultModel"),
        ("/api/v1/models/{name}/predict/batch", "post", "predictBatch"),
        ("/api/v1/models/{name}/alerts", "get", "listAlerts"),
        ("/api/v1/alerts/{alert_id}/acknowledge", "post", "acknowledgeAlert"),
        ("/api/v1/models/{name}/feedback", "post", "recordFeedback"),
        ("/api/v1/stats", "get", "getStatsForDefaultModel"),
        ("/api/v1/drift", "get", "getDriftForDefaultModel"),
        ("/api/v1/simulator", "put", "updateSimulator"),
        ("/api/v1/auth/session", "post", "signIn"),
    ],
)
def test_operation_ids_are_the_route_functions_in_camel_case(client, path, method, operation_id):
    assert client.get("/openapi.json").json()["paths"][path][method]["operationId"] == operation_id


def test_operation_ids_are_unique_camel_case_identifiers(client):
    ids = [operation["operationId"] for _, _, operation in _operations(client)]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", i) for i in ids), ids


# --- One problem shape -------------------------------------------------------


def test_every_error_but_422_documents_a_problem(client):
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    for path, method, operation in _operations(client):
        for status, response in operation["responses"].items():
            if status[0] not in "45" or status == "422" or (path, status) == ("/api/v1/ready", "503"):
                continue  # 422 is a ValidationProblem; a 503 from /ready is its Readiness body
            ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert ref in ("Problem", "FeedbackProblem"), (method, path, status)
    problem, feedback = components["Problem"], components["FeedbackProblem"]
    assert set(problem["required"]) == {"status", "title", "detail"}
    assert set(feedback["required"]) == {"status", "title", "detail", "prediction_ids"}
    assert feedback["properties"]["prediction_ids"]["items"] == {"type": "string"}


def test_every_domain_error_maps_to_one_status():
    import app.registry.registration
    import app.services.feedback
    import app.services.monitoring
    import app.services.prediction_writer  # noqa: F401

    def kinds(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from kinds(sub)

    found = list(kinds(DomainError))
    assert len(found) >= 8
    for kind in found:
        assert domain_status(kind) in (404, 409, 422, 503), kind


# --- The live channel's messages ---------------------------------------------


def _without_defaults(value):
    """FastAPI leaves ``default: null`` out of response schemas; pydantic keeps it."""
    if isinstance(value, dict):
        return {k: _without_defaults(v) for k, v in value.items() if k != "default"}
    if isinstance(value, list):
        return [_without_defaults(v) for v in value]
    return value


def test_the_live_messages_are_in_the_components(client):
    components = client.get("/openapi.json").json()["components"]["schemas"]
    union = components["LiveMessage"]
    assert union["discriminator"]["propertyName"] == "type"
    members = {ref.rsplit("/", 1)[-1] for ref in union["discriminator"]["mapping"].values()}
    assert set(union["discriminator"]["mapping"]) == {
        "stats",
        "drift",
        "alerts",
        "incidents",
        "simulator",
        "models",
        "degraded",
        "recovered",
    }
    for name in members:
        assert components[name]["properties"]["type"]["const"] in union["discriminator"]["mapping"]
    # The stats and simulator messages carry what the REST routes answer: one schema each.
    assert components["StatsMessage"]["properties"]["data"] == {"$ref": "#/components/schemas/StatsOut"}
    assert components["SimulatorMessage"]["properties"]["data"] == {"$ref": "#/components/schemas/SimulatorState"}
    ours = LIVE_MESSAGE.json_schema(ref_template="#/components/schemas/{model}", mode="serialization")
    for name, definition in ours["$defs"].items():
        assert _without_defaults(components[name]) == _without_defaults(definition), name
