"""The schema of release 1.0, before Alembic: every table as its create_all made them.

The baseline: a database that release made (create_all, or init_db.sql on
PostgreSQL) is stamped at this revision, not migrated (driftwatch_core.db.schema).
Columns in create_all's order (the shared result columns of drift and
performance results come last); simulator_control.id is a plain INTEGER, not
a SERIAL. Types are spelled out: models.Timestamp is a TIMESTAMP WITH TIME ZONE.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite auto-increments INTEGER only
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("trained_at", TIMESTAMP, nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("feature_schema", JSON, nullable=False),
        sa.Column("registered_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "monitoring_runs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("slot", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("window_end", TIMESTAMP, nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("dataset_drift", sa.Boolean(), nullable=True),
        sa.Column("drift_share", sa.Float(), nullable=True),
        sa.Column("prediction_drift", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slot"),
    )
    op.create_index("ix_monitoring_runs_started_at", "monitoring_runs", ["started_at"])
    op.create_table(
        "alerts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("feature", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("acknowledged_at", TIMESTAMP, nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("clear_cycles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_alerts_status"),
    )
    op.create_index("ix_alerts_status_opened_at", "alerts", ["status", "opened_at"])
    op.create_index(
        "uq_alerts_open_kind_feature",
        "alerts",
        ["kind", "feature"],
        unique=True,
        postgresql_where=sa.text("status <> 'resolved'"),
        sqlite_where=sa.text("status <> 'resolved'"),
    )
    op.create_table(
        "simulator_control",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scenario", sa.String(length=32), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("rps", sa.Float(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("id = 1", name="ck_simulator_control_single_row"),
    )
    op.create_table(
        "predictions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("features", JSON, nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("is_fraud", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["model_version"], ["model_versions.version"]),
    )
    op.create_index("ix_predictions_created_at", "predictions", ["created_at"])
    op.create_table(
        "drift_results",
        sa.Column("feature", sa.String(length=64), nullable=False),
        sa.Column("feature_kind", sa.String(length=16), nullable=False),
        sa.Column("test", sa.String(length=32), nullable=False),
        sa.Column("statistic", sa.Float(), nullable=True),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("drifted", sa.Boolean(), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("n_reference", sa.Integer(), nullable=False),
        sa.Column("n_current", sa.Integer(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", BIG_ID, nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("window_end", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "feature", "test", name="uq_drift_results_run_feature_test"),
        sa.ForeignKeyConstraint(["run_id"], ["monitoring_runs.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_drift_results_computed_at", "drift_results", ["computed_at"])
    op.create_index("ix_drift_results_feature_computed_at", "drift_results", ["feature", "computed_at"])
    op.create_table(
        "performance_results",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", BIG_ID, nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("window_start", TIMESTAMP, nullable=False),
        sa.Column("window_end", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "kind", name="uq_performance_results_run_kind"),
        sa.ForeignKeyConstraint(["run_id"], ["monitoring_runs.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_performance_results_computed_at", "performance_results", ["computed_at"])
    op.create_table(
        "ground_truth",
        sa.Column("prediction_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.Boolean(), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("prediction_id"),
        sa.ForeignKeyConstraint(["prediction_id"], ["predictions.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_ground_truth_received_at", "ground_truth", ["received_at"])


def downgrade() -> None:
    for table in (
        "ground_truth",
        "performance_results",
        "drift_results",
        "predictions",
        "simulator_control",
        "alerts",
        "monitoring_runs",
        "model_versions",
    ):
        op.drop_table(table)  # its indexes go with it
