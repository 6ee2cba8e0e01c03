"""Layers stay layers: routes parse, call and return; SQL lives in services; HTTP in the API.

Read from the source (imports only), so a shortcut fails here before review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((APP / folder).glob("*.py"))


@pytest.mark.parametrize("path", _modules("api/routes"), ids=lambda p: p.name)
def test_routes_run_no_sql(path):
    assert not {name for name in _imports(path) if name.startswith(("sqlalchemy", "driftwatch_core.db.models"))}


@pytest.mark.parametrize("path", _modules("services"), ids=lambda p: p.name)
def test_services_know_no_http(path):
    assert not {name for name in _imports(path) if name.startswith(("fastapi", "starlette", "app.api"))}


@pytest.mark.parametrize("path", [p for p in _modules("api") if p.name != "main.py"], ids=lambda p: p.name)
def test_only_the_router_list_imports_route_modules(path):
    assert not {name for name in _imports(path) if name.startswith("app.api.routes")}
