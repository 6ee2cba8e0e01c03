"""Register a model from a terminal, the same checks and storage as ``POST /api/v1/models``.

    python -m app.registry register --name credit --model model.onnx \\
        --reference ref.parquet --label defaulted [--schema schema.json] [--threshold 0.3] [--dry-run]
    python -m app.registry list

It writes to the database ``DATABASE_URL`` names (upgrading its schema first, as
every service does); a running backend serves the new version within seconds.
Exit status: 0 registered (or checked, with ``--dry-run``), 2 refused (each
problem on its own line, naming its field or column), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select

from app.core.config import get_settings
from app.registry import registration
from driftwatch_core.db.engine import make_engine, make_session_factory
from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_core.db.schema import init_schema


def _read(path: Path, what: str, limit: int) -> bytes:
    if path.stat().st_size > limit:
        raise SystemExit(f"{what} {path} is larger than the limit of {limit} bytes")
    return path.read_bytes()


def register(args: argparse.Namespace) -> int:
    from app.registry.formats import MAX_ARTIFACT_BYTES
    from app.registry.tabular import MAX_TABLE_BYTES

    upload = registration.Upload(
        name=args.name,
        artifact=_read(args.model, "model", MAX_ARTIFACT_BYTES),
        reference=_read(args.reference, "reference", MAX_TABLE_BYTES),
        reference_filename=args.reference.name,
        schema=json.loads(args.schema.read_text()) if args.schema else None,
        label=args.label,
        threshold=args.threshold,
        description=args.description,
    )
    try:
        prepared = registration.prepare(upload)
    except registration.RegistrationError as exc:
        for problem in exc.problems:
            print(f"error: {problem.field}: {problem.message}", file=sys.stderr)
        return 2
    schema = "inferred from the reference" if prepared.schema_inferred else "as given"
    print(f"{prepared.name} {prepared.version}: {prepared.format}, {len(prepared.schema)} features ({schema})")
    for feature in prepared.schema:
        detail = f" {list(feature.categories)}" if feature.categories else f" {feature.dtype}"
        print(f"  {feature.name}: {feature.kind}{detail}")
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in prepared.metrics.items() if isinstance(v, float))
    print(f"  reference: {prepared.source['reference_rows']} rows; threshold {prepared.threshold}; {metrics}")
    if args.dry_run:
        print("dry run: nothing stored")
        return 0
    engine = make_engine(args.database_url or get_settings().database_url)
    init_schema(engine)
    with make_session_factory(engine).begin() as session:
        registration.save(session, prepared)
    engine.dispose()
    print(f"registered {prepared.name} version {prepared.version}")
    return 0


def list_models(args: argparse.Namespace) -> int:
    engine = make_engine(args.database_url or get_settings().database_url)
    init_schema(engine)
    with make_session_factory(engine)() as session:
        for model in session.scalars(select(RegisteredModel).order_by(RegisteredModel.name)):
            versions = session.scalars(
                select(ModelVersion.version)
                .where(ModelVersion.model_name == model.name)
                .order_by(ModelVersion.registered_at.desc())
            ).all()
            print(f"{model.name}\t{model.task}\t{len(versions)} version(s)\tnewest {versions[0] if versions else '-'}")
    engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.registry", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("register", help="register a model or a new version of one")
    add.add_argument("--name", required=True, help="lower-case letters, digits and -")
    add.add_argument("--model", required=True, type=Path, help="XGBoost JSON/UBJ booster or ONNX model")
    add.add_argument("--reference", required=True, type=Path, help="reference data, CSV or Parquet")
    add.add_argument("--label", help="the label column of the reference data")
    add.add_argument("--schema", type=Path, help="feature schema (JSON list); default: inferred")
    add.add_argument("--threshold", type=float, help="decision threshold (default 0.5)")
    add.add_argument("--description", default="", help="one line about the model")
    add.add_argument("--dry-run", action="store_true", help="check and show, store nothing")
    add.set_defaults(run=register)
    show = commands.add_parser("list", help="list registered models")
    show.set_defaults(run=list_models)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
