"""The ORM and scripts/init_db.sql describe one schema: build both and compare.

Docker Compose applies init_db.sql; the services create tables from the ORM
when they are missing. If the two drifted apart, one deployment would differ
from the other, so this proves they match on PostgreSQL, item by item.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.core.db import normalize_url
from app.core.schema import init_schema
from app.testing import temporary_database

INIT_SQL = Path(__file__).resolve().parents[2] / "scripts" / "init_db.sql"


def _normalize_sql(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().lower()


def describe(url: str) -> dict:
    """Everything that makes up the schema, in a comparable form."""
    engine = create_engine(normalize_url(url))
    insp = inspect(engine)
    schema = {}
    for table in sorted(insp.get_table_names()):
        schema[table] = {
            "columns": {
                c["name"]: (str(c["type"]), c["nullable"], bool(c.get("autoincrement") and "nextval" in str(c.get("default"))))
                for c in insp.get_columns(table)
            },
            "primary_key": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]),
                 (fk.get("options") or {}).get("ondelete"))
                for fk in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]),
                 _normalize_sql((ix.get("dialect_options") or {}).get("postgresql_where")))
                for ix in insp.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "checks": sorted(_normalize_sql(c["sqltext"]) for c in insp.get_check_constraints(table)),
        }
    engine.dispose()
    return schema


@pytest.fixture(scope="module")
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("init_db.sql is PostgreSQL's schema; set TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def from_orm(postgres_only, tmp_path_factory):
    with temporary_database(tmp_path_factory.mktemp("orm")) as url:
        engine = create_engine(normalize_url(url))
        init_schema(engine)
        engine.dispose()
        yield describe(url)


def apply_init_sql(url: str) -> None:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql(INIT_SQL.read_text())
    engine.dispose()


@pytest.fixture(scope="module")
def from_sql_url(postgres_only, tmp_path_factory):
    with temporary_database(tmp_path_factory.mktemp("sql")) as url:
        apply_init_sql(url)
        yield url


def test_both_define_the_same_tables(from_orm, from_sql_url):
    assert sorted(from_orm) == sorted(describe(from_sql_url))
    assert {"model_versions", "predictions", "ground_truth", "drift_results",
            "performance_results", "alerts", "simulator_control"} <= set(from_orm)


@pytest.mark.parametrize("part", ["columns", "primary_key", "foreign_keys", "indexes", "unique", "checks"])
def test_every_table_matches(from_orm, from_sql_url, part):
    from_sql = describe(from_sql_url)
    mismatches = {
        table: {"orm": from_orm[table][part], "init_db.sql": from_sql.get(table, {}).get(part)}
        for table in from_orm
        if from_orm[table][part] != from_sql.get(table, {}).get(part)
    }
    assert not mismatches


def test_time_window_queries_have_indexes(from_orm):
    indexed = {(t, ix[1][0]) for t, d in from_orm.items() for ix in d["indexes"]}
    assert ("predictions", "created_at") in indexed
    assert ("ground_truth", "received_at") in indexed
    assert ("drift_results", "computed_at") in indexed or ("drift_results", "feature") in indexed


def test_init_sql_is_idempotent_and_the_orm_accepts_it(from_sql_url):
    before = describe(from_sql_url)
    apply_init_sql(from_sql_url)  # Compose applies it on every start
    engine = create_engine(normalize_url(from_sql_url))
    init_schema(engine)  # the services' own create-if-missing is a no-op on it
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM predictions")).scalar_one() == 0
    engine.dispose()
    assert describe(from_sql_url) == before
