"""A feature schema given as a JSON document (``GET /models/{name}``'s ``features`` shape), checked.

``schema_problems`` names every problem at once (an entry without a name, an unknown
kind, a categorical feature without categories, a bound that is not a number), each
by the entry it is in, and returns the schema only when there is none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.registry import tabular
from app.registry.tabular import Problem
from driftwatch_core.features import Feature, schema_from_dicts

KINDS = ("numeric", "categorical", "boolean")
DTYPES = {"numeric": ("float", "int"), "categorical": ("str",), "boolean": ("bool",)}


def schema_problems(entries: Any) -> tuple[tuple[Feature, ...], list[Problem]]:
    """The schema of a JSON document: a list of features (``GET /models/{name}``'s ``features`` shape)."""
    if not isinstance(entries, list) or not entries:
        return (), [Problem("schema", "expected a non-empty JSON list of features ({name, kind, ...})")]
    problems, names = [], set()
    for i, entry in enumerate(entries):
        where = f"schema[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            problems.append(Problem(where, "expected an object with a string name"))
            continue
        where = f"schema.{entry['name']}"
        if not re.fullmatch(tabular.NAME_PATTERN, entry["name"]):
            problems.append(Problem(where, "names are letters, digits, _ . - and spaces, at most 64"))
        if entry["name"] in names:
            problems.append(Problem(where, "appears twice"))
        names.add(entry["name"])
        kind = entry.get("kind")
        if kind not in KINDS:
            problems.append(Problem(where, f"kind must be one of {', '.join(KINDS)} (got {kind!r})"))
            continue
        dtype = entry.get("dtype") or DTYPES[kind][0]
        if dtype not in DTYPES[kind]:
            problems.append(Problem(where, f"dtype of a {kind} feature is {' or '.join(DTYPES[kind])} (got {dtype!r})"))
        categories = entry.get("categories") or []
        if kind == "categorical" and (
            not isinstance(categories, list) or not categories or not all(isinstance(c, str) for c in categories)
        ):
            problems.append(Problem(where, "a categorical feature needs its categories: a non-empty list of strings"))
        for bound in ("minimum", "maximum"):
            value = entry.get(bound)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                problems.append(Problem(where, f"{bound} must be a number"))
    if problems:
        return (), problems
    return schema_from_dicts({**e, "dtype": e.get("dtype") or DTYPES[e["kind"]][0]} for e in entries), []
