"""Incidents: a model's alerts grouped by cause, what people act on.

- ``incidents``: one row per (model, cause) episode, at most one unresolved per
  (model, cause) (a partial unique index, like the alerts' one), with its
  severity, wording, first detection, start where known, and peak values.
- ``alerts.incident_id`` (nullable, indexed): the incident an alert belongs to.
  Alerts open before this release belong to none until the worker's next cycle
  groups the unresolved ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UNRESOLVED = sa.text("status <> 'resolved'")


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("cause", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("opened_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("acknowledged_at", TIMESTAMP, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", TIMESTAMP, nullable=True),
        sa.Column("peak", JSON, nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_incidents_status"),
        sa.CheckConstraint(
            "cause IN ('drift', 'performance', 'no_traffic', 'monitoring_failed')", name="ck_incidents_cause"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_incidents_open_model_cause",
        "incidents",
        ["model_name", "cause"],
        unique=True,
        postgresql_where=UNRESOLVED,
        sqlite_where=UNRESOLVED,
    )
    op.create_index("ix_incidents_status_opened_at", "incidents", ["status", "opened_at"])
    op.create_index("ix_incidents_model_name_opened_at", "incidents", ["model_name", "opened_at"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("incident_id", BIGID, nullable=True))
        batch.create_foreign_key("fk_alerts_incident_id", "incidents", ["incident_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_alerts_incident_id", ["incident_id"])


def downgrade() -> None:
    """Back to alerts alone: every alert is kept, the grouping goes."""
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index("ix_alerts_incident_id")
        batch.drop_constraint("fk_alerts_incident_id", type_="foreignkey")
        batch.drop_column("incident_id")
    op.drop_index("ix_incidents_model_name_opened_at", table_name="incidents")
    op.drop_index("ix_incidents_status_opened_at", table_name="incidents")
    op.drop_index("uq_incidents_open_model_cause", table_name="incidents")
    op.drop_table("incidents")
