"""The database schema as SQLAlchemy ORM models.

Alembic's migrations (``driftwatch_core/db/migrations``) create this schema in every database;
tests/test_schema.py fails when a model changes without a migration. Features
are stored as JSON (JSONB on PostgreSQL), so a model with other features needs
no change.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Timestamp(TypeDecorator):
    """A UTC instant: TIMESTAMP WITH TIME ZONE, and aware datetimes on SQLite too.

    SQLite keeps no zone, so values are stored as UTC wall time and handed back
    with ``tzinfo=UTC``; every reader gets comparable, correctly serialised times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ModelVersion(Base):
    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(Timestamp)
    threshold: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict] = mapped_column(JSONType)
    feature_schema: Mapped[list] = mapped_column(JSONType)
    registered_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (Index("ix_predictions_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    model_version: Mapped[str] = mapped_column(String(64), ForeignKey("model_versions.version"))
    features: Mapped[dict] = mapped_column(JSONType)
    probability: Mapped[float] = mapped_column(Float)
    is_fraud: Mapped[bool] = mapped_column(Boolean)
    threshold: Mapped[float] = mapped_column(Float)
    latency_ms: Mapped[float] = mapped_column(Float)


class GroundTruth(Base):
    __tablename__ = "ground_truth"
    __table_args__ = (Index("ix_ground_truth_received_at", "received_at"),)

    prediction_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("predictions.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(Timestamp)


class MonitoringRun(Base):
    """One worker cycle; ``slot`` is unique so each cycle is computed once."""

    __tablename__ = "monitoring_runs"
    __table_args__ = (Index("ix_monitoring_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    slot: Mapped[datetime] = mapped_column(Timestamp, unique=True)
    started_at: Mapped[datetime] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    window_start: Mapped[datetime] = mapped_column(Timestamp)
    window_end: Mapped[datetime] = mapped_column(Timestamp)
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32))
    model_version: Mapped[str | None] = mapped_column(String(64))
    dataset_drift: Mapped[bool | None] = mapped_column(Boolean)
    drift_share: Mapped[float | None] = mapped_column(Float)
    prediction_drift: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    #: The rules the cycle judged by: thresholds, dataset-drift rule, unit costs.
    details: Mapped[dict | None] = mapped_column(JSONType)


class CycleResult:
    """What every per-cycle result row carries: its run and the window it judged."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(BigId, ForeignKey("monitoring_runs.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(Timestamp)
    window_start: Mapped[datetime] = mapped_column(Timestamp)
    window_end: Mapped[datetime] = mapped_column(Timestamp)


class DriftResult(CycleResult, Base):
    """One statistical test on one feature (or the score) in one cycle."""

    __tablename__ = "drift_results"
    __table_args__ = (
        UniqueConstraint("run_id", "feature", "test", name="uq_drift_results_run_feature_test"),
        Index("ix_drift_results_feature_computed_at", "feature", "computed_at"),
        Index("ix_drift_results_computed_at", "computed_at"),
    )

    feature: Mapped[str] = mapped_column(String(64))
    feature_kind: Mapped[str] = mapped_column(String(16))
    test: Mapped[str] = mapped_column(String(32))
    statistic: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    drifted: Mapped[bool] = mapped_column(Boolean)
    severity: Mapped[str] = mapped_column(String(32))
    n_reference: Mapped[int] = mapped_column(Integer)
    n_current: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSONType)


class PerformanceResult(CycleResult, Base):
    """Realized (from labels) or estimated (from scores) performance in one cycle."""

    __tablename__ = "performance_results"
    __table_args__ = (
        UniqueConstraint("run_id", "kind", name="uq_performance_results_run_kind"),
        Index("ix_performance_results_computed_at", "computed_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    n_rows: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSONType)


class Alert(Base):
    """At most one unresolved alert per (kind, feature), enforced by a partial index."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_kind_feature",
            "kind",
            "feature",
            unique=True,
            postgresql_where=text("status <> 'resolved'"),
            sqlite_where=text("status <> 'resolved'"),
        ),
        Index("ix_alerts_status_opened_at", "status", "opened_at"),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_alerts_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    feature: Mapped[str] = mapped_column(String(64), default="")
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    opened_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Timestamp)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    clear_cycles: Mapped[int] = mapped_column(Integer, default=0)


class SimulatorControl(Base):
    """The single row that tells the traffic simulator what to do."""

    __tablename__ = "simulator_control"
    __table_args__ = (CheckConstraint("id = 1", name="ck_simulator_control_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    scenario: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSONType)
    rps: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
