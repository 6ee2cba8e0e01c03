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
    LargeBinary,
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


class RegisteredModel(Base):
    """A model the platform serves and monitors: a name, a task, its versions."""

    __tablename__ = "registered_models"
    __table_args__ = (
        CheckConstraint("task IN ('binary_classification')", name="ck_registered_models_task"),
        CheckConstraint("challenger_mode IN ('shadow', 'canary')", name="ck_registered_models_challenger_mode"),
        CheckConstraint("canary_share > 0 AND canary_share < 1", name="ck_registered_models_canary_share"),
    )

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    task: Mapped[str] = mapped_column(String(32), default="binary_classification")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: Monitored every cycle; a retired model keeps its history but is no longer judged.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: The version that answers (None until the model has one).
    champion_version: Mapped[str | None] = mapped_column(String(64))
    #: At most one challenger: scored in ``shadow`` (never answers) or as a ``canary``
    #: (answers ``canary_share`` of requests, sticky per entity id).
    challenger_version: Mapped[str | None] = mapped_column(String(64))
    challenger_mode: Mapped[str | None] = mapped_column(String(16))
    canary_share: Mapped[float | None] = mapped_column(Float)
    #: The champion before the current one: what ``rollback`` serves again.
    previous_champion: Mapped[str | None] = mapped_column(String(64))
    #: Bumped by every stage change; servers poll it to switch without a restart.
    generation: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    stage_changed_at: Mapped[datetime | None] = mapped_column(Timestamp)


class ModelVersion(Base):
    """One version of a model: its artifact, feature schema, reference, threshold and origin.

    Artifacts and references live here, in the database, so every backend process
    and the worker read the same bytes wherever they run (no shared volume needed).
    """

    __tablename__ = "model_versions"
    __table_args__ = (Index("ix_model_versions_model_name_registered_at", "model_name", "registered_at"),)

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_name: Mapped[str] = mapped_column(
        String(64),
        ForeignKey("registered_models.name", name="fk_model_versions_model_name"),
    )
    trained_at: Mapped[datetime] = mapped_column(Timestamp)
    threshold: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict] = mapped_column(JSONType)
    feature_schema: Mapped[list] = mapped_column(JSONType)
    registered_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    #: xgboost-json, xgboost-ubj or onnx (never a pickle).
    format: Mapped[str] = mapped_column(String(16), default="xgboost-json", server_default="xgboost-json")
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary)
    artifact_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The frozen bins, shares and samples live traffic is compared with (reference.build_reference).
    reference: Mapped[dict | None] = mapped_column(JSONType)
    #: A sample of the reference table's rows (its features and label, at most
    #: ``REFERENCE_TABLE_ROWS``) as Parquet: what global explanations average over and what a
    #: retrain mixes in as the original data. None for versions registered before it was kept.
    reference_table: Mapped[bytes | None] = mapped_column(LargeBinary)
    label_column: Mapped[str | None] = mapped_column(String(128))
    #: What it was made from: files, rows, label, trainer, seed.
    source: Mapped[dict | None] = mapped_column(JSONType)
    #: Set when the version was retired: it no longer serves or shadows.
    retired_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_created_at", "created_at"),
        Index("ix_predictions_model_name_created_at", "model_name", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64), ForeignKey("model_versions.version"))
    features: Mapped[dict] = mapped_column(JSONType)
    probability: Mapped[float] = mapped_column(Float)
    is_fraud: Mapped[bool] = mapped_column(Boolean)
    threshold: Mapped[float] = mapped_column(Float)
    latency_ms: Mapped[float] = mapped_column(Float)
    #: A shadow row: the answered prediction this version scored the same request of, off the
    #: request path (never answered, never labelled itself: its label is that prediction's).
    shadow_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class PredictionSummary(Base):
    """One writer's cumulative summary of one model version's predictions in one 10-second slot.

    Written by the backend's writer in the predictions' own transaction
    (``driftwatch_core.summaries``); the worker merges a window's slots instead of
    reading its rows. The unique constraint's index serves the worker's range read
    on (model_name, model_version, slot_start).
    """

    __tablename__ = "prediction_summaries"
    __table_args__ = (
        UniqueConstraint(
            "model_name", "model_version", "slot_start", "writer_id", name="uq_prediction_summaries_slot_writer"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    slot_start: Mapped[datetime] = mapped_column(Timestamp)
    #: The writing process (each owns its rows, so processes never conflict).
    writer_id: Mapped[str] = mapped_column(String(64))
    n_rows: Mapped[int] = mapped_column(Integer)
    #: Rows decided fraud (``is_fraud``), and shadow rows among ``n_rows``.
    n_fraud: Mapped[int] = mapped_column(Integer)
    n_shadow: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    #: ``driftwatch_core.summaries.SlotState.to_bytes``: JSON header and sketches, never a pickle.
    summary: Mapped[bytes] = mapped_column(LargeBinary)


class GroundTruth(Base):
    __tablename__ = "ground_truth"
    __table_args__ = (Index("ix_ground_truth_received_at", "received_at"),)

    prediction_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("predictions.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[datetime] = mapped_column(Timestamp)


class MonitoringRun(Base):
    """One worker cycle of one model; (model, ``slot``) is unique so each is computed once."""

    __tablename__ = "monitoring_runs"
    __table_args__ = (
        Index("ix_monitoring_runs_started_at", "started_at"),
        Index("ix_monitoring_runs_model_name_started_at", "model_name", "started_at"),
        UniqueConstraint("model_name", "slot", name="uq_monitoring_runs_model_name_slot"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(64))
    slot: Mapped[datetime] = mapped_column(Timestamp)
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
    """At most one unresolved alert per (model, kind, feature), enforced by a partial index."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_model_kind_feature",
            "model_name",
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
    model_name: Mapped[str] = mapped_column(String(64))
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
    #: The incident the alert belongs to (None for notes, and until the worker groups it).
    incident_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("incidents.id", name="fk_alerts_incident_id", ondelete="SET NULL"), index=True
    )


class Incident(Base):
    """Alerts of one model with one cause, grouped: what people act on instead of a dozen alerts.

    At most one unresolved incident per (model, cause), enforced by a partial index
    like the alerts' one; it resolves when all its alerts have.
    """

    __tablename__ = "incidents"
    __table_args__ = (
        Index(
            "uq_incidents_open_model_cause",
            "model_name",
            "cause",
            unique=True,
            postgresql_where=text("status <> 'resolved'"),
            sqlite_where=text("status <> 'resolved'"),
        ),
        Index("ix_incidents_status_opened_at", "status", "opened_at"),
        Index("ix_incidents_model_name_opened_at", "model_name", "opened_at"),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_incidents_status"),
        CheckConstraint(
            "cause IN ('drift', 'performance', 'no_traffic', 'monitoring_failed')", name="ck_incidents_cause"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(64))
    cause: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: The highest of its unresolved alerts' severities (kept once all are resolved).
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The first detection: when its first alert opened.
    opened_at: Mapped[datetime] = mapped_column(Timestamp)
    #: When the cause began, where known (a traffic switch, else the window that first showed it).
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Timestamp)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    #: The worst it got, never lowered: drift_share, features {name: PSI}, roc_auc (the lowest).
    peak: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: The newest cycle's view: per feature its PSI, drift and direction; the traffic switch it followed.
    details: Mapped[dict] = mapped_column(JSONType, default=dict)


class ModelEvent(Base):
    """Something that happened to a model, on the timeline: a stage change, a retrain, a gate decision."""

    __tablename__ = "model_events"
    __table_args__ = (
        Index("ix_model_events_model_name_created_at", "model_name", "created_at"),
        Index("ix_model_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    model_name: Mapped[str] = mapped_column(String(64))
    #: promoted, rolled_back, shadow, canary, retired, retrain_*, gate, ...
    kind: Mapped[str] = mapped_column(String(32))
    version: Mapped[str | None] = mapped_column(String(64))
    #: Who: an API key's name, ``worker`` (the promotion gate), ``policy``, ``startup``.
    actor: Mapped[str] = mapped_column(String(64), default="")
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSONType, default=dict)


class VersionComparison(Base):
    """Champion against challenger in one worker cycle, on the same requests."""

    __tablename__ = "version_comparisons"
    __table_args__ = (Index("ix_version_comparisons_model_name_computed_at", "model_name", "computed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(Timestamp)
    champion_version: Mapped[str] = mapped_column(String(64))
    challenger_version: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    n_paired: Mapped[int] = mapped_column(Integer)
    n_labelled: Mapped[int] = mapped_column(Integer)
    #: Per version (score distribution, prediction drift, realized and estimated performance),
    #: agreement, the ROC-AUC difference with its bootstrap interval, the gate's decision.
    details: Mapped[dict] = mapped_column(JSONType)


class RetrainJob(Base):
    """One retraining of a model: queued, training, evaluating, registered or failed (with why)."""

    __tablename__ = "retrain_jobs"
    __table_args__ = (
        Index("ix_retrain_jobs_model_name_created_at", "model_name", "created_at"),
        CheckConstraint(
            "status IN ('queued', 'training', 'evaluating', 'registered', 'failed')", name="ck_retrain_jobs_status"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    #: ``manual`` (the API, the CLI) or ``policy`` (RETRAIN_POLICY).
    trigger: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    progress: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(64))
    #: The data mix, time range, hold-out evaluation, search.
    result: Mapped[dict | None] = mapped_column(JSONType)


class SimulatorControl(Base):
    """The single row that tells the traffic simulator what to do."""

    __tablename__ = "simulator_control"
    __table_args__ = (CheckConstraint("id = 1", name="ck_simulator_control_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    scenario: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSONType)
    rps: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    #: The model the simulator's traffic goes to (None: the backend's default model); its
    #: scenario switches are that model's events.
    model: Mapped[str | None] = mapped_column(String(64))
