"""The models and the migrations describe one schema, on PostgreSQL and on SQLite.

Alembic's migrations (driftwatch_core/db/migrations) make every database; the ORM in
driftwatch_core/db/models.py is what the code reads and writes. A database upgraded to head
must be what ``Base.metadata.create_all`` would make: autogenerate's comparison
finds nothing (so a model change without a migration fails here), and the
catalogue (types, nullability, keys, indexes with their WHERE, checks) agrees
item by item. The README's commands (``alembic upgrade head``, ``check``,
``revision --autogenerate``) are run as a developer runs them.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Index, Integer, MetaData, inspect

from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import Base
from driftwatch_core.db.schema import BASELINE_TABLES, COMPARE_OPTIONS, MIGRATIONS_DIR, head_revision, init_schema
from driftwatch_testing import empty_database

BACKEND = Path(__file__).resolve().parents[1]
ALEMBIC = Path(sys.executable).parent / "alembic"  # README: cd backend && ../.venv/bin/alembic


@pytest.fixture
def database(dialect, tmp_path):
    """An empty database of the parametrised dialect: yields (engine, url)."""
    with empty_database(dialect, tmp_path / "db") as url:
        if not url.startswith(dialect):
            pytest.skip("no PostgreSQL answers: set TEST_DATABASE_URL")
        engine = make_engine(url)
        yield engine, url
        engine.dispose()


def differences(engine, metadata: MetaData = Base.metadata) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=COMPARE_OPTIONS), metadata)


def _normalize_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().lower()


def _column(c: dict) -> tuple:
    default = str(c.get("default") or "")
    serial = "nextval" in default  # PostgreSQL's SERIAL (SQLite's INTEGER PRIMARY KEY shows none)
    return str(c["type"]), c["nullable"], serial, "" if serial else default


def _where(ix: dict) -> str:
    where = [str(v) for k, v in (ix.get("dialect_options") or {}).items() if k.endswith("_where")]
    return _normalize_sql(" ".join(where))


def describe(engine) -> dict:
    """Everything that makes up the schema, in a comparable form (alembic_version aside)."""
    insp = inspect(engine)
    schema = {}
    for table in sorted(set(insp.get_table_names()) - {"alembic_version"}):
        schema[table] = {
            "columns": {c["name"]: _column(c) for c in insp.get_columns(table)},
            "primary_key": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
            "foreign_keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk.get("options") or {}).get("ondelete"),
                )
                for fk in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]), _where(ix))
                for ix in insp.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "checks": sorted((c["name"], _normalize_sql(c["sqltext"])) for c in insp.get_check_constraints(table)),
        }
    return schema


@pytest.fixture
def migrated(database):
    engine, _url = database
    init_schema(engine)  # what every service runs at start
    return engine


def test_upgrade_to_head_leaves_nothing_for_autogenerate(migrated):
    assert differences(migrated) == []
    with migrated.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_the_comparison_sees_a_model_change_without_a_migration(migrated):
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["predictions"].append_column(Column("segment", Integer, nullable=True))
    Index("ix_alerts_kind", changed.tables["alerts"].c.kind)
    found = {(diff[0], diff[-1].name if hasattr(diff[-1], "name") else None) for diff in differences(migrated, changed)}
    assert ("add_column", "segment") in found and ("add_index", "ix_alerts_kind") in found


def test_head_is_what_create_all_makes(migrated, dialect, tmp_path):
    with empty_database(dialect, tmp_path / "orm") as url:
        orm = make_engine(url)
        Base.metadata.create_all(orm)
        expected = describe(orm)
        orm.dispose()
    got = describe(migrated)
    assert sorted(got) == sorted(expected)
    assert set(got) >= BASELINE_TABLES
    for part in ("columns", "primary_key", "foreign_keys", "indexes", "unique", "checks"):
        mismatches = {
            t: {"migrations": got[t][part], "create_all": expected[t][part]}
            for t in expected
            if got[t][part] != expected[t][part]
        }
        assert not mismatches, part


def test_time_window_queries_have_indexes(migrated):
    indexed = {(t, ix[1][0]) for t, d in describe(migrated).items() for ix in d["indexes"]}
    assert {("predictions", "created_at"), ("ground_truth", "received_at"), ("drift_results", "computed_at")} <= indexed


# --- The README's commands, as a developer types them -----------------------


def alembic(command: list[str], url: str, cwd: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def scratch_copy(tmp_path: Path, *, versions: bool) -> list[str]:
    """The migrations copied to ``tmp_path`` (to write revisions in); the alembic command for them."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))
    if not versions:
        shutil.rmtree(scripts / "versions")
        (scripts / "versions").mkdir()
    ini = tmp_path / "alembic.ini"
    ini.write_text((BACKEND / "alembic.ini").read_text().replace("driftwatch_core.db:migrations", str(scripts)))
    return [str(ALEMBIC), "-c", str(ini)]


def readme_commands() -> list[list[str]]:
    readme = (BACKEND.parent / "README.md").read_text()
    block = re.search(r"### Schema changes\n.*?```bash\n(.*?)```", readme, re.S).group(1)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


@pytest.mark.slow  # runs the alembic command
def test_the_readme_commands_run_as_written(database, tmp_path):
    """In backend/ as written; then all four again on a copy of the migrations, where the
    new revision lands (the models have not changed, so it is empty)."""
    _engine, url = database
    commands = readme_commands()
    assert [c[:3] for c in commands] == [
        ["../.venv/bin/alembic", "upgrade", "head"],
        ["../.venv/bin/alembic", "revision", "--autogenerate"],
        ["../.venv/bin/alembic", "upgrade", "head"],
        ["../.venv/bin/alembic", "check"],
    ]
    alembic([str(ALEMBIC), *commands[0][1:]], url, BACKEND)
    assert "No new upgrade operations detected" in alembic([str(ALEMBIC), *commands[3][1:]], url, BACKEND)
    assert f"{head_revision()} (head)" in alembic([str(ALEMBIC), "current"], url, BACKEND)

    scratch = scratch_copy(tmp_path, versions=True)
    outputs = [alembic([*scratch, *command[1:]], url, tmp_path) for command in commands]
    (written,) = (tmp_path / "migrations" / "versions").glob("*_what_changes.py")
    upgrade = written.read_text().split("def upgrade() -> None:")[1].split("def downgrade")[0]
    assert "op." not in upgrade and "pass" in upgrade
    assert "No new upgrade operations detected" in outputs[-1]


@pytest.mark.slow  # runs the alembic command
def test_autogenerate_writes_a_migration_that_stands_alone(tmp_path):
    """``revision --autogenerate`` against an empty database renders the whole schema from
    the models; the file names no app module, and applying it gives what head gives."""
    alembic_ = scratch_copy(tmp_path, versions=False)
    scratch, fresh, head = (f"sqlite:///{tmp_path / name}.db" for name in ("scratch", "fresh", "head"))
    alembic([*alembic_, "revision", "--autogenerate", "-m", "everything"], scratch, tmp_path)
    (generated,) = (tmp_path / "migrations" / "versions").glob("*_everything.py")
    text = generated.read_text()
    assert "app." not in text and "Timestamp" not in text, text
    alembic([*alembic_, "upgrade", "head"], fresh, tmp_path)
    assert "No new upgrade operations detected" in alembic([*alembic_, "check"], fresh, tmp_path)
    engines = [make_engine(url) for url in (fresh, head)]
    init_schema(engines[1])
    assert describe(engines[0]) == describe(engines[1])
    for engine in engines:
        engine.dispose()
