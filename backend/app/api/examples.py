"""Response examples and the real 422 body in the OpenAPI docs at ``/docs``.

``examples.json`` holds, per ``"<method> <path>"`` (and ``"... <status>"`` for
other statuses than 200), a response captured from a running stack and
trimmed (long lists cut to a few items); per ``"component <Name>"`` the
examples of a request body's schema that no pydantic model of ours carries
(a multipart form's, FastAPI generates it; a row of any model's, ``RowIn``: the
demo model's). A default-model alias (``/predict``) shows its twin's examples. They are set on the generated schema
rather than through ``responses=``, because FastAPI drops ``null`` values from
examples there. ``tests/api/test_openapi.py`` checks each example against the
route's response model or a live response, so they cannot go stale.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from app.schemas.errors import ValidationProblem

VALIDATION_DESCRIPTION = "Invalid input: names the field and what was expected."
VALIDATION_EXAMPLE = {
    "detail": "amount: Input should be greater than or equal to 0.01",
    "errors": [
        {
            "field": "amount",
            "message": "Input should be greater than or equal to 0.01",
            "type": "greater_than_equal",
            "input": -1,
        }
    ],
}


@cache
def examples() -> dict:
    return json.loads(Path(__file__).with_name("examples.json").read_text(encoding="utf-8"))


def _document_validation_problem(schema: dict) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = ValidationProblem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["ValidationProblem"] = problem
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)


def document(schema: dict) -> dict:
    """Add the examples and our 422 body to a generated OpenAPI ``schema`` (idempotent)."""
    components = schema.get("components", {}).get("schemas", {})
    if "ValidationProblem" in components:
        return schema
    _document_validation_problem(schema)
    stored = examples()
    for key, value in stored.items():
        if key.startswith("component ") and key.removeprefix("component ") in components:
            components[key.removeprefix("component ")]["examples"] = value
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            # A default-model alias shows its /models/{name}/… twin's examples: the same answers.
            documented = operation.get("x-alias-of", path)
            for status, response in operation.get("responses", {}).items():
                key = f"{method} {documented}" + ("" if status == "200" else f" {status}")
                if key in stored:
                    content = response.setdefault("content", {})
                    if not content:
                        text = isinstance(stored[key], str)
                        content["text/plain" if text else "application/json"] = {}
                    for media in content.values():
                        media["example"] = stored[key]
                if status == "422":
                    if response.get("description") == "Validation Error":
                        response["description"] = VALIDATION_DESCRIPTION
                    body: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/ValidationProblem"}}
                    if "RowIn" in str(operation.get("requestBody")):  # the example is about a row
                        body["example"] = VALIDATION_EXAMPLE
                    response["content"] = {"application/json": body}
    return schema
