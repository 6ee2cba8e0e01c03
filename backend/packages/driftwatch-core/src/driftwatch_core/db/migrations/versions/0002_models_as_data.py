"""Models as data: a registry of models, and every row of traffic and monitoring scoped by model.

- ``registered_models``: name, task, description, active; the built-in ``fraud``
  model is inserted here, so every existing row keeps a valid owner.
- ``model_versions`` gains its model, artifact format and bytes (with their
  SHA-256), reference, label column and origin; the artifact and reference live
  in the database so every backend process and the worker read the same bytes.
- ``predictions``, ``monitoring_runs`` and ``alerts`` gain ``model_name``
  (``fraud`` for every existing row). A cycle is unique per (model, slot), not per
  slot; at most one unresolved alert per (model, kind, feature).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
UNRESOLVED = sa.text("status <> 'resolved'")


def _model_name() -> sa.Column:
    return sa.Column("model_name", sa.String(length=64), server_default="fraud", nullable=False)


def _slot_unique_name() -> str:
    """The name of release 1.0's UNIQUE (slot): PostgreSQL named it (``monitoring_runs_slot_key``
    unless someone renamed it: asked when online); on SQLite it has none, and the batch's
    naming convention gives it ``uq_monitoring_runs_slot``."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return "uq_monitoring_runs_slot"
    if context.is_offline_mode():
        return "monitoring_runs_slot_key"
    for constraint in sa.inspect(bind).get_unique_constraints("monitoring_runs"):
        if constraint["column_names"] == ["slot"] and constraint["name"]:
            return constraint["name"]
    raise RuntimeError("monitoring_runs has no UNIQUE (slot) to replace")


def upgrade() -> None:
    registered_models = op.create_table(
        "registered_models",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("task IN ('binary_classification')", name="ck_registered_models_task"),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(
        registered_models,
        [
            {
                "name": "fraud",
                "task": "binary_classification",
                "description": "The built-in card-fraud model (XGBoost), trained on the synthetic generator.",
                "created_at": datetime.now(UTC),
                "active": True,
            }
        ],
    )
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(_model_name())
        batch.add_column(sa.Column("format", sa.String(length=16), server_default="xgboost-json", nullable=False))
        batch.add_column(sa.Column("artifact", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("artifact_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reference", JSON, nullable=True))
        batch.add_column(sa.Column("label_column", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("source", JSON, nullable=True))
        batch.create_index("ix_model_versions_model_name_registered_at", ["model_name", "registered_at"])
        batch.create_foreign_key("fk_model_versions_model_name", "registered_models", ["model_name"], ["name"])

    with op.batch_alter_table("predictions") as batch:
        batch.add_column(_model_name())
        batch.create_index("ix_predictions_model_name_created_at", ["model_name", "created_at"])

    slot_unique = _slot_unique_name()
    with op.batch_alter_table(
        "monitoring_runs", naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}
    ) as batch:
        batch.add_column(_model_name())
        batch.drop_constraint(slot_unique, type_="unique")
        batch.create_unique_constraint("uq_monitoring_runs_model_name_slot", ["model_name", "slot"])
        batch.create_index("ix_monitoring_runs_model_name_started_at", ["model_name", "started_at"])

    with op.batch_alter_table("alerts") as batch:
        batch.add_column(_model_name())
        batch.drop_index("uq_alerts_open_kind_feature")
        batch.create_index(
            "uq_alerts_open_model_kind_feature",
            ["model_name", "kind", "feature"],
            unique=True,
            postgresql_where=UNRESOLVED,
            sqlite_where=UNRESOLVED,
        )


def downgrade() -> None:
    """Back to one model: rows of other models are deleted first (their cycles, alerts,
    predictions and versions), then the columns and the registry go."""
    bind = op.get_bind()
    others = "model_name <> 'fraud'"
    bind.execute(sa.text(f"DELETE FROM alerts WHERE {others}"))
    bind.execute(sa.text(f"DELETE FROM monitoring_runs WHERE {others}"))
    bind.execute(sa.text(f"DELETE FROM predictions WHERE {others}"))
    bind.execute(sa.text(f"DELETE FROM model_versions WHERE {others}"))
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("uq_alerts_open_model_kind_feature")
        batch.create_index(
            "uq_alerts_open_kind_feature",
            ["kind", "feature"],
            unique=True,
            postgresql_where=UNRESOLVED,
            sqlite_where=UNRESOLVED,
        )
        batch.drop_column("model_name")
    with op.batch_alter_table("monitoring_runs") as batch:
        batch.drop_index("ix_monitoring_runs_model_name_started_at")
        batch.drop_constraint("uq_monitoring_runs_model_name_slot", type_="unique")
        batch.create_unique_constraint("monitoring_runs_slot_key", ["slot"])
        batch.drop_column("model_name")
    with op.batch_alter_table("predictions") as batch:
        batch.drop_index("ix_predictions_model_name_created_at")
        batch.drop_column("model_name")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_constraint("fk_model_versions_model_name", type_="foreignkey")
        batch.drop_index("ix_model_versions_model_name_registered_at")
        for column in ("source", "label_column", "reference", "artifact_sha256", "artifact", "format", "model_name"):
            batch.drop_column(column)
    op.drop_table("registered_models")
