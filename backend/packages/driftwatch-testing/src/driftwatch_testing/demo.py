"""The demo model every suite tests with: trained once, cached on disk, inserted into each test's database.

``demo_files()`` returns a folder holding the demo model's *prepared version* (what a
``model_versions`` row of it stores: ``version.json``, its artifact and its reference rows), made by
``python -m app.demo --export`` in a child process the first time and kept under ``.cache/`` at
the repository's root (``DRIFTWATCH_TEST_CACHE`` moves it), keyed by a digest of the code that
makes it: a change to the trainer, the registry's preparation or the generator makes a new one. A
whole test run (every suite, every process it starts) trains the model once; later runs reuse it.

``insert_demo(engine)`` stores that version as a registration would (the model, the version, its
``registered`` event, promoted to champion) with the shared core alone, so the worker's and the
simulator's suites never import the backend application.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from driftwatch_testing import tiers

#: The repository's root (this package is installed editable from backend/packages/driftwatch-testing/src).
ROOT = Path(__file__).resolve().parents[5]
BACKEND = ROOT / "backend"
#: What the prepared demo version is made by: a change to any of these makes a new one.
SOURCES = (
    "backend/app/demo",
    "backend/app/registry",
    "backend/app/ml",
    "backend/packages/driftwatch-core/src/driftwatch_core",
)
DEMO_MODEL = "fraud"
ROWS, SEED = 50_000, 42


def cache_dir() -> Path:
    return Path(os.environ.get("DRIFTWATCH_TEST_CACHE") or ROOT / ".cache" / "test-models")


def _digest() -> str:
    digest = hashlib.sha256(f"{ROWS}:{SEED}".encode())
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def demo_files() -> Path:
    """The folder of the prepared demo version, exported once (about 10 s) and reused after."""
    folder = cache_dir() / f"demo-{_digest()}"
    if not (folder / "version.json").is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tiers.allowed():  # once per run, whatever test comes first
            _export(folder)
    return folder


def _export(folder: Path) -> None:
    """Export into a folder of this process's own, then move it in place at once: two test
    processes starting together never read a half-written export."""
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "app.demo", "--export", str(partial), "--rows", str(ROWS), "--seed", str(SEED)],
        cwd=BACKEND,
        check=True,
        capture_output=True,
        env={**os.environ, "DEMO_CACHE_DIR": str(cache_dir())},
    )
    try:
        partial.rename(folder)
    except OSError:  # another process moved its own in first: the same bytes
        shutil.rmtree(partial, ignore_errors=True)


def forget() -> None:
    """Read the cache folder again (a test that points ``DRIFTWATCH_TEST_CACHE`` elsewhere)."""
    demo_files.cache_clear()
    _demo_version.cache_clear()


def demo_version() -> dict:
    """What the version's row holds (``version.json``), with ``artifact`` and ``reference_table`` bytes
    (read once per process: a shallow copy, not to be changed in depth)."""
    return dict(_demo_version())


@cache
def _demo_version() -> dict:
    folder = demo_files()
    row = json.loads((folder / "version.json").read_text())
    return {
        **row,
        "artifact": (folder / "artifact.json").read_bytes(),
        "reference_table": (folder / "reference_table.parquet").read_bytes() or None,
    }


def insert_demo(engine: Engine, name: str = DEMO_MODEL) -> str:
    """Register the demo model in ``engine``'s database as ``name`` (its champion); returns the version."""
    from driftwatch_core import stages
    from driftwatch_core.db.models import ModelVersion, RegisteredModel, utcnow

    row = demo_version()
    version = row["version"] if name == DEMO_MODEL else f"{row['version']}-{name}"[:64]
    with Session(engine) as session, session.begin():
        session.add(
            RegisteredModel(
                name=name, task="binary_classification", description=row["description"], created_at=utcnow()
            )
        )
        session.flush()
        session.add(
            ModelVersion(
                version=version,
                model_name=name,
                trained_at=datetime.fromisoformat(row["trained_at"]),
                threshold=row["threshold"],
                metrics=row["metrics"],
                feature_schema=row["feature_schema"],
                registered_at=utcnow(),
                format=row["format"],
                artifact=row["artifact"],
                artifact_sha256=row["sha256"],
                reference=row["reference"],
                reference_table=row["reference_table"],
                label_column=row["label_column"],
                source=row["source"],
            )
        )
        session.flush()
        stages.record_event(session, name, "registered", f"{version} registered ({row['format']})", version=version)
        stages.promote(session, name, version, actor="test", reason="registered")
    return version
