"""Register the demo model: train it (or take it from a cache) and upload it like any model.

    python -m app.demo [--if-missing] [--rows 50000] [--seed 42] [--stage champion] [--cache DIR]
    python -m app.demo --export DIR     # the prepared version as files (tests insert it directly)

It migrates the database ``DATABASE_URL`` names (waiting up to ``--wait-s`` for it to
answer), trains the demo model (``app.demo.model``; about 10 s) and registers it through
``app.registry.registration``, exactly as ``POST /api/v1/models`` would. ``--if-missing``
does nothing when the model already has a version (``./scripts/setup.sh`` and the Docker
image run it at every start). ``--cache`` (or ``DEMO_CACHE_DIR``) keeps the trained files
in a folder and reuses them. Exit status: 0 registered or already there, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from app.core.config import get_settings
from app.core.errors import Conflict
from app.demo import model
from app.registry.registration import STAGES_ON_REGISTER, Prepared, prepare, save
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.db.schema import init_schema

log = logging.getLogger("app.demo")


def _migrated(url: str, wait_s: float):
    """An engine on the migrated database, once it answers (``wait_s`` at most)."""
    engine = make_engine(url)
    deadline, delay = time.monotonic() + wait_s, 0.5
    while True:
        try:
            init_schema(engine)
            return engine
        except Exception as exc:
            if time.monotonic() >= deadline:
                raise SystemExit(f"the database did not answer within {wait_s:g} s: {type(exc).__name__}") from exc
            log.info("waiting for the database (%s)", type(exc).__name__)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)


def _champion(factory, name: str) -> str | None:
    """The model's champion, when it can be served and judged (its artifact and reference stored):
    a version of the release before the registry kept both in a folder, and is replaced."""
    with factory() as session:
        row = session.get(RegisteredModel, name)
        champion = session.get(ModelVersion, row.champion_version) if row and row.champion_version else None
        if champion is None or champion.artifact is None or not champion.reference:
            return None
        return champion.version


def _stage_of(model: RegisteredModel | None, version: str) -> str:
    """What ``version`` became (a model's first version is its champion, whatever was asked)."""
    if model is not None and model.champion_version == version:
        return "champion"
    if model is not None and model.challenger_version == version:
        return model.challenger_mode or "shadow"
    return "none"


def _prepared(args: argparse.Namespace) -> Prepared:
    files = model.trained(args.rows, args.seed, args.cache)
    return prepare(files.upload(args.name), seed=args.seed)


def register(args: argparse.Namespace) -> int:
    engine = _migrated(args.database_url or get_settings().database_url, args.wait_s)
    factory = make_session_factory(engine)
    if args.if_missing and (champion := _champion(factory, args.name)) is not None:
        print(f"{args.name} is registered already (champion {champion}): nothing to do")
        return 0
    prepared = _prepared(args)
    try:
        with factory.begin() as session:
            save(session, prepared, stage=args.stage, actor="app.demo")
            stage = _stage_of(session.get(RegisteredModel, args.name), prepared.version)
    except (Conflict, IntegrityError):  # registered at the same moment by another start
        if _champion(factory, args.name) is None:
            raise
        print(f"{args.name} was registered at the same moment by another process")
        return 0
    finally:
        engine.dispose()
    print(f"registered {args.name} version {prepared.version} ({stage}): ROC-AUC {prepared.metrics['roc_auc']:.3f}")
    return 0


def export(args: argparse.Namespace) -> int:
    """The prepared version as files: what a database row of it holds (``version.json``), its
    artifact and its reference table. Tests insert it with the shared core alone."""
    prepared = _prepared(args)
    folder: Path = args.export
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "artifact.json").write_bytes(prepared.artifact)
    (folder / "reference_table.parquet").write_bytes(prepared.reference_table or b"")
    row = {
        "name": prepared.name,
        "version": prepared.version,
        "format": prepared.format,
        "sha256": prepared.sha256,
        "feature_schema": [f.to_dict() for f in prepared.schema],
        "reference": prepared.reference,
        "threshold": prepared.threshold,
        "metrics": prepared.metrics,
        "label_column": prepared.label,
        "source": prepared.source,
        "trained_at": prepared.trained_at.isoformat(),
        "description": prepared.description,
    }
    (folder / "version.json").write_text(json.dumps(row))  # written last: the folder is complete
    print(f"exported {prepared.name} version {prepared.version} to {folder}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=model.DEMO_MODEL, help="the name to register it under")
    parser.add_argument("--rows", type=int, default=model.DEFAULT_ROWS, help="transactions to generate")
    parser.add_argument("--seed", type=int, default=model.DEFAULT_SEED, help="seed of the data and the model")
    parser.add_argument("--stage", choices=STAGES_ON_REGISTER, default="champion", help="what the new version becomes")
    parser.add_argument("--if-missing", action="store_true", help="only when the model has no version yet")
    parser.add_argument(
        "--cache",
        type=Path,
        default=os.environ.get("DEMO_CACHE_DIR") or None,
        help="keep and reuse the trained files here",
    )
    parser.add_argument("--database-url", help="default: $DATABASE_URL")
    parser.add_argument("--wait-s", type=float, default=120.0, help="how long to wait for the database")
    parser.add_argument("--export", type=Path, help="write the prepared version to this folder instead")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return export(args) if args.export else register(args)


if __name__ == "__main__":
    sys.exit(main())
