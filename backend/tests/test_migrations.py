"""Upgrading: a database of the previous release keeps every row; upgrades repeat and race safely.

Release 1.0 had no Alembic: Docker Compose applied init_db.sql, local mode ran
create_all. Its schema is kept as fixtures (tests/fixtures/schema_1_0_*.sql,
from commit 923992f). A database made from them and filled through the SQL
that release wrote is upgraded the way every service upgrades at start
(``init_schema``), on PostgreSQL and on SQLite, and every row reads back the
same. The baseline migration makes exactly that schema; running the upgrade
twice does nothing; processes upgrading at once wait for each other. Migration
0006 (no built-in model) deletes only an empty ``fraud`` placeholder and drops
the ``'fraud'`` column defaults; its downgrade brings both back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.models import (
    Alert,
    Base,
    DriftResult,
    GroundTruth,
    ModelEvent,
    ModelVersion,
    MonitoringRun,
    Prediction,
    RegisteredModel,
    SimulatorControl,
)
from driftwatch_core.db.schema import BASELINE, COMPARE_OPTIONS, alembic_config, head_revision, init_schema
from driftwatch_testing import empty_database

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BACKEND = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


@pytest.fixture
def url(dialect, tmp_path):
    """The URL of an empty database of the parametrised dialect."""
    with empty_database(dialect, tmp_path / "db") as database_url:
        if not database_url.startswith(dialect):
            pytest.skip("no PostgreSQL answers: set TEST_DATABASE_URL")
        yield database_url


@pytest.fixture
def engine(url):
    eng = make_engine(url)
    yield eng
    eng.dispose()


def revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def differences(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts=COMPARE_OPTIONS), Base.metadata)


# --- A database of release 1.0 ----------------------------------------------


def create_release_1_0(engine) -> None:
    """The schema exactly as release 1.0 made it on this database."""
    ddl = (FIXTURES / f"schema_1_0_{engine.dialect.name}.sql").read_text()
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(engine.url.database) as conn:
            conn.executescript(ddl)
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql(ddl)


def _stored(value, dialect: str):
    """A value as release 1.0's column types stored it (its ORM wrote these columns)."""
    if isinstance(value, uuid.UUID):
        return str(value) if dialect == "postgresql" else value.hex
    if isinstance(value, datetime) and dialect == "sqlite":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


P1, P2, P3 = (uuid.UUID(int=n * 0x1234_5678_9ABC_DEF0) for n in (1, 2, 3))
FEATURES = {
    "amount": 84.5,
    "hour_of_day": 14,
    "merchant_category": "café & bar",
    "card_present": True,
    "distance_from_home_km": 6.2,
    "nested": {"list": [1, 2.5, None, "x"]},
}


def release_1_0_rows() -> dict[str, list[dict]]:
    """A few rows in every table, as release 1.0 wrote them (ids left to the database)."""
    runs = [
        {
            "slot": T0,
            "started_at": T0,
            "finished_at": T0 + timedelta(seconds=2),
            "window_start": T0 - timedelta(minutes=5),
            "window_end": T0,
            "n_rows": 1234,
            "status": "ok",
            "model_version": "v1",
            "dataset_drift": True,
            "drift_share": 0.4,
            "prediction_drift": False,
            "error": None,
            "details": {"rule": "share >= 0.3"},
        },
        {
            "slot": T0 + timedelta(seconds=30),
            "started_at": T0 + timedelta(seconds=30),
            "finished_at": None,
            "window_start": T0,
            "window_end": T0 + timedelta(seconds=30),
            "n_rows": 0,
            "status": "failed",
            "model_version": None,
            "dataset_drift": None,
            "drift_share": None,
            "prediction_drift": None,
            "error": "Traceback: boom",
            "details": None,
        },
    ]
    return {
        "model_versions": [
            {
                "version": v,
                "trained_at": T0 - timedelta(days=n),
                "threshold": 0.31 + n / 100,
                "metrics": {"roc_auc": 0.916, "f1": 0.5},
                "feature_schema": [{"name": "amount", "kind": "numeric"}],
                "registered_at": T0 - timedelta(days=n, hours=1),
            }
            for n, v in enumerate(("v1", "v2"), start=1)
        ],
        "predictions": [
            {
                "id": pid,
                "created_at": T0 + timedelta(seconds=n),
                "model_version": "v1" if n < 3 else "v2",
                "features": {**FEATURES, "amount": 84.5 * n},
                "probability": 0.1 * n,
                "is_fraud": n == 3,
                "threshold": 0.32,
                "latency_ms": 4.25 * n,
            }
            for n, pid in enumerate((P1, P2, P3), start=1)
        ],
        "ground_truth": [
            {"prediction_id": P1, "label": False, "received_at": T0 + timedelta(minutes=1)},
            {"prediction_id": P3, "label": True, "received_at": T0 + timedelta(minutes=2)},
        ],
        "monitoring_runs": runs,
        "drift_results": [
            {
                "run": 0,
                "computed_at": T0,
                "window_start": T0 - timedelta(minutes=5),
                "window_end": T0,
                "feature": f,
                "feature_kind": "numeric",
                "test": t,
                "statistic": s,
                "p_value": p,
                "threshold": 0.25,
                "drifted": d,
                "severity": "significant" if d else "none",
                "n_reference": 5000,
                "n_current": 1234,
                "details": {"bins": [0.0, 1.5, 3.0], "reference": [0.5, 0.5]},
            }
            for f, t, s, p, d in (("amount", "psi", 0.41, None, True), ("amount", "ks", 0.12, 1e-9, True))
        ],
        "performance_results": [
            {
                "run": 0,
                "computed_at": T0,
                "window_start": T0 - timedelta(minutes=30),
                "window_end": T0,
                "kind": k,
                "n_rows": 800,
                "metrics": {"roc_auc": 0.88, "cost_usd": 1250.0},
            }
            for k in ("realized", "estimated")
        ],
        "alerts": [
            {
                "kind": "feature_drift",
                "feature": "amount",
                "severity": "critical",
                "status": s,
                "message": f"PSI {s}",
                "value": 0.41,
                "threshold": 0.25,
                "opened_at": T0,
                "updated_at": T0 + timedelta(seconds=30),
                "acknowledged_at": T0 if s != "open" else None,
                "resolved_at": T0 + timedelta(minutes=9) if s == "resolved" else None,
                "clear_cycles": 3 if s == "resolved" else 0,
            }
            for s in ("resolved", "open")
        ],
        "simulator_control": [
            {"id": 1, "scenario": "sudden", "params": {"magnitude": 2.5}, "rps": 25.0, "updated_at": T0}
        ],
    }


SERIAL_IDS = {"monitoring_runs", "drift_results", "performance_results", "alerts"}
ORDER = {
    "model_versions": "version",
    "predictions": "id",
    "ground_truth": "prediction_id",
    "monitoring_runs": "slot",
    "drift_results": "test",
    "performance_results": "kind",
    "alerts": "status",
    "simulator_control": "id",
}


def fill(engine, rows: dict[str, list[dict]]) -> None:
    dialect = engine.dialect.name
    with engine.begin() as conn:
        for table in (
            "model_versions",
            "predictions",
            "ground_truth",
            "monitoring_runs",
            "drift_results",
            "performance_results",
            "alerts",
            "simulator_control",
        ):
            run_ids = conn.execute(text("SELECT id FROM monitoring_runs ORDER BY slot")).scalars().all()
            for row in rows[table]:
                values = {k: _stored(v, dialect) for k, v in row.items() if k != "run"}
                if "run" in row:
                    values["run_id"] = run_ids[row["run"]]
                conn.execute(
                    text(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"),
                    values,
                )


def dump(engine, rows: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Every row of release 1.0's columns, as stored."""
    with engine.connect() as conn:
        out = {}
        for table, table_rows in rows.items():
            columns = [c for c in table_rows[0] if c != "run"]
            columns += ["id"] * (table in SERIAL_IDS) + ["run_id"] * ("run" in table_rows[0])
            out[table] = [
                tuple(r)
                for r in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {ORDER[table]}"))
            ]
    return out


def test_a_release_1_0_database_upgrades_and_every_row_reads_back(engine):
    rows = release_1_0_rows()
    create_release_1_0(engine)
    fill(engine, rows)
    before = dump(engine, rows)
    assert revision(engine) is None and sum(map(len, before.values())) == 16

    init_schema(engine)  # what the backend and the worker run at start

    assert revision(engine) == head_revision()
    assert dump(engine, rows) == before
    assert differences(engine) == []
    with Session(engine) as session:  # and today's code reads them
        for expected in rows["predictions"]:
            got = session.get(Prediction, expected["id"])
            assert (got.features, got.created_at, got.model_version, got.is_fraud, got.probability) == (
                expected["features"],
                expected["created_at"],
                expected["model_version"],
                expected["is_fraud"],
                expected["probability"],
            )
        assert session.get(GroundTruth, P3).label is True
        assert session.get(ModelVersion, "v2").metrics == {"roc_auc": 0.916, "f1": 0.5}
        assert session.get(SimulatorControl, 1).params == {"magnitude": 2.5}
        # ... and every one of them belongs to the fraud model, which the registry keeps (it has versions).
        assert session.get(RegisteredModel, "fraud").task == "binary_classification"
        for model in (Prediction, ModelVersion, MonitoringRun, Alert):
            assert set(session.scalars(select(model.model_name))) == {"fraud"}, model.__tablename__
        failed = session.scalars(select(MonitoringRun).where(MonitoringRun.status == "failed")).one()
        assert (failed.error, failed.details, failed.finished_at) == ("Traceback: boom", None, None)
        ok = session.scalars(select(MonitoringRun).where(MonitoringRun.status == "ok")).one()
        results = session.scalars(select(DriftResult).where(DriftResult.run_id == ok.id)).all()
        assert {d.test: d.p_value for d in results} == {"psi": None, "ks": 1e-9}
        # New rows get fresh ids after the old ones (the sequences survived) ...
        session.add(
            MonitoringRun(
                model_name="fraud",
                slot=T0 + timedelta(minutes=1),
                started_at=T0,
                window_start=T0,
                window_end=T0,
                status="ok",
            )
        )
        session.add(
            Alert(
                model_name="fraud",
                kind="feature_drift",
                feature="hour_of_day",
                severity="warning",
                message="m",
                opened_at=T0,
                updated_at=T0,
            )
        )
        session.commit()
        assert session.scalar(select(MonitoringRun.id).order_by(MonitoringRun.id.desc()).limit(1)) == 3
        assert session.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) == 3
        # ... and the rule of one unresolved alert per (kind, feature) still holds.
        session.add(
            Alert(
                model_name="fraud",
                kind="feature_drift",
                feature="amount",
                severity="warning",
                message="again",
                opened_at=T0,
                updated_at=T0,
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


@pytest.mark.parametrize("dialect", [pytest.param("postgresql", marks=pytest.mark.slow), "sqlite"])  # pg_dump
def test_the_baseline_is_exactly_release_1_0s_schema(engine, dialect, tmp_path):
    command.upgrade(alembic_config(engine), BASELINE)
    with empty_database(dialect, tmp_path / "old") as old_url:
        old = make_engine(old_url)
        create_release_1_0(old)
        assert schema_text(engine) == schema_text(old)
        old.dispose()


def schema_text(engine) -> list[str]:
    """The schema as the database prints it: sqlite_master's SQL, or pg_dump (columns sorted:
    init_db.sql put the shared result columns first, create_all last; order is cosmetic there)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version' ORDER BY rowid")
            ).scalars()
            return [re.sub(r"\s+", " ", s).strip() for s in sql]
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    url = engine.url
    result = subprocess.run(
        [
            pg_dump,
            "--schema-only",
            "--no-owner",
            "-T",
            "alembic_version",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            url.database,
        ],
        capture_output=True,
        text=True,
        env={"PGPASSWORD": url.password or "", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    if "server version mismatch" in result.stderr:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stderr
    statements, block = [], []
    for line in result.stdout.splitlines():
        if not line or line.startswith(("--", "\\restrict", "\\unrestrict")):
            continue
        if block:
            if line.startswith(")"):
                statements.append(" ".join([block[0], *sorted(block[1:]), line]))
                block = []
            else:
                block.append(line.strip().rstrip(","))
        elif line.startswith("CREATE TABLE"):
            block = [line]
        else:
            statements.append(line)
    return statements


# --- Migration 0006: no built-in model ----------------------------------------

#: The tables whose ``model_name`` defaulted to ``'fraud'`` (0002) until 0006.
DEFAULTED = ("model_versions", "predictions", "monitoring_runs", "alerts")


def model_names(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM registered_models")).scalars())


def model_name_defaults(engine) -> dict[str, str | None]:
    """Each table's server default of ``model_name`` as the database reports it (None: none)."""
    inspector = inspect(engine)
    return {t: next(c["default"] for c in inspector.get_columns(t) if c["name"] == "model_name") for t in DEFAULTED}


def columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def insert(conn, table: str, row: dict) -> None:
    values = {k: _stored(v, conn.dialect.name) for k, v in row.items()}
    conn.execute(
        text(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})"), values
    )


def test_0006_deletes_the_empty_fraud_placeholder_and_the_defaults_and_downgrade_restores_them(engine):
    config = alembic_config(engine)
    command.upgrade(config, "0005")
    assert model_names(engine) == {"fraud"}  # 0002's placeholder for release 1.0's rows
    assert all("fraud" in (default or "") for default in model_name_defaults(engine).values())

    command.upgrade(config, "0006")
    assert model_names(engine) == set()  # no versions: nothing to keep
    assert model_name_defaults(engine) == dict.fromkeys(DEFAULTED)
    assert "reference_table" in columns(engine, "model_versions") and "model" in columns(engine, "simulator_control")
    alert = {"kind": "no_traffic", "feature": "", "severity": "warning", "status": "open", "message": "m"}
    with pytest.raises(IntegrityError), engine.begin() as conn:  # a writer must name its model now
        insert(conn, "alerts", {**alert, "opened_at": T0, "updated_at": T0, "clear_cycles": 0})

    command.downgrade(config, "0005")
    assert model_names(engine) == {"fraud"}
    assert all("fraud" in (default or "") for default in model_name_defaults(engine).values())
    assert "reference_table" not in columns(engine, "model_versions")
    assert "model" not in columns(engine, "simulator_control")
    init_schema(engine)  # and up again to head
    assert revision(engine) == head_revision() and differences(engine) == [] and model_names(engine) == set()


def test_0006_keeps_a_fraud_model_with_versions_and_its_history(engine):
    config = alembic_config(engine)
    command.upgrade(config, "0005")
    version = {"version": "v1", "trained_at": T0, "threshold": 0.3, "metrics": {"n": 5}, "registered_at": T0}
    schema = [{"name": "amount", "kind": "numeric"}]
    event = {"model_name": "fraud", "kind": "promoted", "version": "v1", "actor": "backend", "message": "v1 promoted"}
    scored = {"probability": 0.2, "is_fraud": False, "threshold": 0.3, "latency_ms": 1.5}
    with engine.begin() as conn:  # as a release that registered the built-in model wrote it (no model_name)
        insert(conn, "model_versions", {**version, "feature_schema": schema, "artifact": b"{}", "reference": {}})
        conn.execute(text("UPDATE registered_models SET champion_version = 'v1', generation = 1"))
        insert(conn, "model_events", {**event, "created_at": T0, "details": {}})
        insert(conn, "predictions", {**scored, "id": P1, "created_at": T0, "model_version": "v1", "features": FEATURES})

    command.upgrade(config, "0006")
    assert model_names(engine) == {"fraud"}
    with Session(engine) as session:
        fraud = session.get(RegisteredModel, "fraud")
        assert (fraud.champion_version, fraud.generation) == ("v1", 1)
        stored = session.get(ModelVersion, "v1")
        assert stored.model_name == "fraud" and stored.reference_table is None  # registered before rows were kept
        assert [e.message for e in session.scalars(select(ModelEvent))] == ["v1 promoted"]
        prediction = session.get(Prediction, P1)
        assert (prediction.model_name, prediction.features) == ("fraud", FEATURES)


# --- Adoption, repetition, concurrency --------------------------------------


def test_upgrading_twice_changes_nothing(engine, caplog):
    caplog.set_level(logging.INFO, logger="alembic")
    init_schema(engine)
    assert any("Running upgrade" in r.getMessage() for r in caplog.records)
    tables = set(inspect(engine).get_table_names())
    caplog.clear()
    init_schema(engine)
    assert not [r.getMessage() for r in caplog.records if "Running upgrade" in r.getMessage()]
    assert set(inspect(engine).get_table_names()) == tables and revision(engine) == head_revision()


RACER = """
import sys, time
from pathlib import Path
from driftwatch_core.db.engine import make_engine
from driftwatch_core.db.schema import init_schema
engine = make_engine(sys.argv[1])
with engine.connect():
    pass
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.002)
init_schema(engine)
"""


@pytest.mark.slow  # starts three processes
@pytest.mark.parametrize("start", ["empty", "release 1.0"])
def test_processes_upgrading_at_once_wait_for_each_other(engine, url, start, tmp_path):
    if start == "release 1.0":
        create_release_1_0(engine)
        fill(engine, release_1_0_rows())
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, url, str(go)],
            cwd=tmp_path,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    try:
        for racer in racers:  # all connected, then all released at once
            assert racer.stdout.readline().strip() == "ready", racer.communicate(timeout=60)
        go.touch()
        outcomes = [racer.communicate(timeout=180) for racer in racers]
    finally:
        for racer in racers:
            racer.kill()
    assert [r.returncode for r in racers] == [0, 0, 0], [err for _out, err in outcomes]
    assert revision(engine) == head_revision() and differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        predictions = conn.execute(text("SELECT count(*) FROM predictions")).scalar_one()
    assert predictions == (3 if start == "release 1.0" else 0)


@pytest.mark.slow  # starts the worker
def test_the_worker_upgrades_before_its_first_cycle(engine, url):
    create_release_1_0(engine)
    fill(engine, release_1_0_rows())
    root = BACKEND.parent
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RETENTION_DAYS": "36500",  # keeps the 2025 rows
    }
    worker = subprocess.run(
        [sys.executable, "-m", "worker", "--once"],
        cwd=root / "monitoring-worker",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Release 1.0 kept its model's reference on disk, so the registry holds none for v1 and v2:
    # the cycle may fail saying so (exit 1), but it ran, on the upgraded schema.
    assert worker.returncode in (0, 1), worker.stdout + worker.stderr
    assert revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM monitoring_runs")).scalar_one() == 3
        run = conn.execute(text("SELECT model_name, status, error FROM monitoring_runs ORDER BY id DESC")).first()
    assert run.model_name == "fraud" and (run.status == "ok" or "reference" in run.error), run
    assert (worker.returncode == 0) == (run.status == "ok"), worker.stderr


def test_a_database_with_only_some_of_release_1_0s_tables_is_refused(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE predictions (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE alerts (id INTEGER PRIMARY KEY)"))
    with pytest.raises(RuntimeError, match=r"\(alerts, predictions\) but not drift_results, ground_truth, "):
        init_schema(engine)
    assert set(inspect(engine).get_table_names()) == {"alerts", "predictions"}  # nothing half-done


def test_a_database_from_a_newer_release_is_refused_by_name(engine):
    init_schema(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    with pytest.raises(RuntimeError, match=r"f00dfeedbeef.*newer release"):
        init_schema(engine)


def test_downgrade_to_nothing_and_back(engine):
    init_schema(engine)
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"} and revision(engine) is None
    init_schema(engine)
    assert revision(engine) == head_revision() and differences(engine) == []


@pytest.mark.slow  # runs the alembic command
def test_offline_mode_prints_the_sql_for_a_dba():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "alembic"), "upgrade", "head", "--sql"],
        cwd=BACKEND,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@192.0.2.1:5/none"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    sql = result.stdout
    assert sql.startswith("BEGIN;") and sql.rstrip().endswith("COMMIT;")
    assert "CREATE TABLE predictions (" in sql and "features JSONB NOT NULL" in sql
    head = head_revision()
    assert f"VALUES ('{head}')" in sql or f"SET version_num='{head}'" in sql, "the script does not end at head"
    assert "CREATE TABLE registered_models (" in sql and "INSERT INTO registered_models" in sql
    assert "DELETE FROM registered_models WHERE name = 'fraud' AND NOT EXISTS" in sql  # 0006: an empty placeholder
