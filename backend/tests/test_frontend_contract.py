"""The dashboard's typed contract still matches the backend.

The frontend's API types are generated from the backend's OpenAPI document, both
committed in ``frontend/src/api/``: ``openapi.json`` (``scripts/export_openapi.py``)
and ``schema.d.ts`` (``npm run gen:api``, openapi-typescript). A backend change
that alters the document fails here until both are regenerated, and then fails the
dashboard's ``tsc`` if it breaks what the dashboard reads. The few facts the
frontend copies because no API response carries them are held equal here too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
OPENAPI_JSON = FRONTEND / "src" / "api" / "openapi.json"
SCHEMA_TS = FRONTEND / "src" / "api" / "schema.d.ts"
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"


def _load_export_script():
    spec = importlib.util.spec_from_file_location("export_openapi", ROOT / "scripts" / "export_openapi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


export = _load_export_script()
STALE = f"frontend/src/api is out of date with the backend: run `{export.REGENERATE}` and commit both files"


def _changed(committed: dict, current: dict) -> list[str]:
    """The paths and schemas that differ, to say where the document changed."""
    names = []
    for section, old, new in (
        ("path", committed.get("paths", {}), current.get("paths", {})),
        (
            "schema",
            committed.get("components", {}).get("schemas", {}),
            current.get("components", {}).get("schemas", {}),
        ),
    ):
        names += [f"{section} {name}" for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name)]
    return names


def test_the_committed_openapi_document_is_the_backends():
    current = export.render(export.openapi_document())
    committed = OPENAPI_JSON.read_text(encoding="utf-8") if OPENAPI_JSON.exists() else "{}"
    if committed != current:
        changed = _changed(json.loads(committed), json.loads(current)) or ["formatting or top-level fields"]
        pytest.fail(f"{STALE}.\nChanged: {', '.join(changed[:12])}{' …' if len(changed) > 12 else ''}", pytrace=False)


@pytest.mark.slow  # runs openapi-typescript (node) in a child process
def test_the_committed_typescript_types_are_generated_from_it(tmp_path):
    if not OPENAPI_TYPESCRIPT.exists():
        reason = "frontend/node_modules is missing, so openapi-typescript cannot run: (cd frontend && npm ci)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    generated = tmp_path / "schema.d.ts"
    run = subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(OPENAPI_JSON), "--output", str(generated)],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"openapi-typescript failed:\n{run.stdout}\n{run.stderr}"
    if generated.read_bytes() != SCHEMA_TS.read_bytes():
        pytest.fail(
            f"frontend/src/api/schema.d.ts is not what openapi-typescript makes of openapi.json. {STALE}.",
            pytrace=False,
        )


def _frontend_source(relative: str) -> str:
    return (FRONTEND / "src" / relative).read_text(encoding="utf-8")


def test_the_dashboards_copies_of_worker_facts_hold():
    """The worker's cycle length and the labels of its tests: no API response carries them."""
    from worker import config, stats

    cycle = re.search(r"driftCycleSeconds:\s*(\d+(?:\.\d+)?)", _frontend_source("config/env.ts"))
    assert cycle, "frontend/src/config/env.ts no longer sets driftCycleSeconds"
    assert float(cycle.group(1)) == config.WorkerSettings.model_fields["interval_s"].default, (
        "frontend/src/config/env.ts driftCycleSeconds must be the worker's default WORKER_INTERVAL_S"
    )

    labels = re.search(r"TEST_LABELS[^=]*=\s*\{([^}]*)\}", _frontend_source("features/drift/drift-constants.ts"))
    assert labels, "frontend/src/features/drift/drift-constants.ts no longer defines TEST_LABELS"
    labelled = set(re.findall(r"(\w+)\s*:", labels.group(1)))
    tests = {test.name for test in stats.REGISTRY.values() if test.drift_when == "low"}  # the `test` of a result
    assert labelled == tests, (
        f"TEST_LABELS in drift-constants.ts labels {sorted(labelled)}; the worker registers {sorted(tests)}"
    )
