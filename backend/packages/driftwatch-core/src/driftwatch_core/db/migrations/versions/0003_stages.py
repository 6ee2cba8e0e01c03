"""Acting on drift: stages (champion, challenger in shadow or canary), events, comparisons, retraining.

- ``registered_models`` gains its stages: the champion (answers), at most one
  challenger (``shadow`` or ``canary`` with a share), the previous champion (what a
  rollback serves again) and a generation every change bumps (servers poll it).
  Each model's newest version becomes its champion, which is what was served.
- ``model_versions.retired_at``; ``predictions.shadow_of``: a shadow row names
  the answered prediction of the same request.
- ``model_events`` (the timeline), ``version_comparisons`` (champion against
  challenger per cycle) and ``retrain_jobs``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("registered_models") as batch:
        batch.add_column(sa.Column("champion_version", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("challenger_version", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("challenger_mode", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("canary_share", sa.Float(), nullable=True))
        batch.add_column(sa.Column("previous_champion", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("generation", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("stage_changed_at", TIMESTAMP, nullable=True))
        batch.create_check_constraint("ck_registered_models_challenger_mode", "challenger_mode IN ('shadow', 'canary')")
        batch.create_check_constraint("ck_registered_models_canary_share", "canary_share > 0 AND canary_share < 1")
    # What each model served until now: its newest version.
    op.execute(
        sa.text(
            "UPDATE registered_models SET champion_version = ("
            " SELECT v.version FROM model_versions v WHERE v.model_name = registered_models.name"
            " ORDER BY v.registered_at DESC, v.version DESC LIMIT 1)"
        )
    )
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(sa.Column("retired_at", TIMESTAMP, nullable=True))
    with op.batch_alter_table("predictions") as batch:
        batch.add_column(sa.Column("shadow_of", sa.Uuid(), nullable=True))

    op.create_table(
        "model_events",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_events_model_name_created_at", "model_events", ["model_name", "created_at"])
    op.create_index("ix_model_events_created_at", "model_events", ["created_at"])
    op.create_table(
        "version_comparisons",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.Column("champion_version", sa.String(length=64), nullable=False),
        sa.Column("challenger_version", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("n_paired", sa.Integer(), nullable=False),
        sa.Column("n_labelled", sa.Integer(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_version_comparisons_model_name_computed_at", "version_comparisons", ["model_name", "computed_at"]
    )
    op.create_table(
        "retrain_jobs",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("model_name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'training', 'evaluating', 'registered', 'failed')", name="ck_retrain_jobs_status"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_retrain_jobs_model_name_created_at", "retrain_jobs", ["model_name", "created_at"])


def downgrade() -> None:
    """Back to serving each model's newest version: stages, events, comparisons, jobs and
    shadow rows go (shadow rows were never answered)."""
    op.drop_index("ix_retrain_jobs_model_name_created_at", table_name="retrain_jobs")
    op.drop_table("retrain_jobs")
    op.drop_index("ix_version_comparisons_model_name_computed_at", table_name="version_comparisons")
    op.drop_table("version_comparisons")
    op.drop_index("ix_model_events_created_at", table_name="model_events")
    op.drop_index("ix_model_events_model_name_created_at", table_name="model_events")
    op.drop_table("model_events")
    op.execute(sa.text("DELETE FROM predictions WHERE shadow_of IS NOT NULL"))
    with op.batch_alter_table("predictions") as batch:
        batch.drop_column("shadow_of")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_column("retired_at")
    with op.batch_alter_table("registered_models") as batch:
        batch.drop_constraint("ck_registered_models_canary_share", type_="check")
        batch.drop_constraint("ck_registered_models_challenger_mode", type_="check")
        for column in (
            "stage_changed_at",
            "generation",
            "previous_champion",
            "canary_share",
            "challenger_mode",
            "challenger_version",
            "champion_version",
        ):
            batch.drop_column(column)
