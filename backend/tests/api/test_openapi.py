"""The API docs at /docs: an example for every endpoint, examples that tell the truth, and a
response model for every route that answers JSON."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter

from app.api.main import ROUTE_MODULES
from app.schemas.errors import FeedbackProblem, Problem, ValidationProblem


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


def _example(operation) -> object:
    ok = operation["responses"]["200"]
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
    return {("/api/v1" + r.path, m.lower()): r for module in ROUTE_MODULES
            for r in module.router.routes if isinstance(r, APIRoute) for m in r.methods}


def test_every_json_route_has_a_response_model_its_examples_validate_against(client):
    routes = _routes()
    checked = 0
    for path, method, operation in _operations(client):
        if "200" not in operation["responses"]:
            continue
        (media_type,) = operation["responses"]["200"]["content"]
        if media_type != "application/json":  # /metrics: Prometheus text, typed as a string
            continue
        route = routes[(path, method)]
        assert route.response_model is not None, (method, path)
        TypeAdapter(route.response_model).validate_python(_example(operation))
        models = {m.__name__: m for m in (Problem, FeedbackProblem, ValidationProblem, route.response_model)}
        for status, response in operation["responses"].items():  # captured errors too
            media = response.get("content", {}).get("application/json", {})
            if status != "200" and "example" in media:
                model = models[media["schema"]["$ref"].rsplit("/", 1)[-1]]
                TypeAdapter(model).validate_python(media["example"])
        checked += 1
    assert checked >= 22


@pytest.mark.parametrize("path", ["/model", "/stats", "/stats/history", "/predictions", "/health", "/ready"])
def test_examples_have_the_keys_of_a_live_response(client, transaction, path):
    assert client.post("/api/v1/predict", json=transaction).status_code == 200
    client.app.state.driftwatch.writer.wait_written(5.0)
    operation = client.get("/openapi.json").json()["paths"][f"/api/v1{path}"]["get"]
    live = client.get(f"/api/v1{path}").json()
    assert _shape(_example(operation)) == _shape(live)


def test_metrics_example_names_metrics_the_service_exports(client, transaction):
    assert client.post("/api/v1/predict", json=transaction).status_code == 200
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/metrics"]["get"]
    documented = {line.split()[2] for line in _example(operation).splitlines() if line.startswith("# TYPE")}
    exported = {line.split()[2] for line in client.get("/api/v1/metrics").text.splitlines()
                if line.startswith("# TYPE")}
    assert documented and documented <= exported


def test_a_real_422_has_the_documented_shape(client, transaction):
    response = client.post("/api/v1/predict", json={**transaction, "amount": -1})
    assert response.status_code == 422
    problem = ValidationProblem.model_validate(response.json())
    assert problem.errors[0].field == "amount" and problem.detail.startswith("amount: ")
