"""Prediction summaries: one writer's cumulative summary of one model version's 10-second slot.

- ``prediction_summaries``: per (model, version, slot, writer) the rows, fraud
  decisions and shadow rows counted, and the summary itself
  (``driftwatch_core.summaries``: sketches, category counts, a reservoir of rows;
  a JSON header and binary blobs, never a pickle). Unique per (model, version,
  slot, writer); that index also serves the worker's read of a window's slots.
  Databases of earlier releases get an empty table: the worker reads rows until
  a version's summaries cover its whole window.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "prediction_summaries",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("slot_start", TIMESTAMP, nullable=False),
        sa.Column("writer_id", sa.String(length=64), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("n_fraud", sa.Integer(), nullable=False),
        sa.Column("n_shadow", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "model_name", "model_version", "slot_start", "writer_id", name="uq_prediction_summaries_slot_writer"
        ),
    )


def downgrade() -> None:
    """Back to rows alone: the summaries go (the worker reads rows again)."""
    op.drop_table("prediction_summaries")
