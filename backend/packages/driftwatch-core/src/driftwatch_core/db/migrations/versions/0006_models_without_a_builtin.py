"""No built-in model: every model, the demo's included, is registered like any upload.

- ``model_name`` columns lose their ``'fraud'`` default (``model_versions``,
  ``predictions``, ``monitoring_runs``, ``alerts``): every writer names its model.
- The ``fraud`` row migration 0002 inserted is deleted when no version was ever
  registered under it (an empty placeholder); a database that has served the demo
  model keeps it with all its history.
- ``model_versions.reference_table``: a sample of the reference table's rows as
  Parquet, kept at registration (global explanations, a retrain's original data).
- ``simulator_control.model``: the model the simulator's traffic goes to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose ``model_name`` had a server default (migration 0002).
DEFAULTED = ("model_versions", "predictions", "monitoring_runs", "alerts")
PLACEHOLDER = "fraud"


def upgrade() -> None:
    for table in DEFAULTED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("model_name", existing_type=sa.String(length=64), server_default=None)
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("reference_table", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("simulator_control") as batch:
        batch.add_column(sa.Column("model", sa.String(length=64), nullable=True))
    op.execute(
        sa.text(
            "DELETE FROM registered_models WHERE name = :name "
            "AND NOT EXISTS (SELECT 1 FROM model_versions WHERE model_name = :name)"
        ).bindparams(name=PLACEHOLDER)
    )


def downgrade() -> None:
    """The defaults and the placeholder come back; the kept reference rows and the simulator's model go."""
    with op.batch_alter_table("simulator_control") as batch:
        batch.drop_column("model")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("reference_table")
    for table in DEFAULTED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("model_name", existing_type=sa.String(length=64), server_default=PLACEHOLDER)
    op.execute(
        sa.text(
            "INSERT INTO registered_models (name, task, description, created_at, active, generation) "
            "SELECT :name, 'binary_classification', '', CURRENT_TIMESTAMP, true, 0 "
            "WHERE NOT EXISTS (SELECT 1 FROM registered_models WHERE name = :name)"
        ).bindparams(name=PLACEHOLDER)
    )
