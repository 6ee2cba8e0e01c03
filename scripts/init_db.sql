-- Driftwatch schema for PostgreSQL.
--
-- Idempotent: safe to apply to an existing database (every statement is
-- IF NOT EXISTS), so Docker Compose applies it on every start, not only on an
-- empty volume. backend/app/models.py describes the same schema for
-- SQLAlchemy; backend/tests/test_schema.py builds both and compares them.

-- Every model version that has served traffic.
CREATE TABLE IF NOT EXISTS model_versions (
    version        VARCHAR(64) NOT NULL,
    trained_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    threshold      FLOAT NOT NULL,
    metrics        JSONB NOT NULL,
    feature_schema JSONB NOT NULL,
    registered_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (version)
);

-- The prediction log: append-only; features as JSONB so a model with other
-- features needs no schema change.
CREATE TABLE IF NOT EXISTS predictions (
    id            UUID NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    model_version VARCHAR(64) NOT NULL,
    features      JSONB NOT NULL,
    probability   FLOAT NOT NULL,
    is_fraud      BOOLEAN NOT NULL,
    threshold     FLOAT NOT NULL,
    latency_ms    FLOAT NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (model_version) REFERENCES model_versions (version)
);
-- Every window query (stats, drift, retention) is a range on created_at.
CREATE INDEX IF NOT EXISTS ix_predictions_created_at ON predictions (created_at);

-- Delayed ground truth: at most one label per prediction.
CREATE TABLE IF NOT EXISTS ground_truth (
    prediction_id UUID NOT NULL,
    label         BOOLEAN NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (prediction_id),
    FOREIGN KEY (prediction_id) REFERENCES predictions (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_ground_truth_received_at ON ground_truth (received_at);

-- One row per monitoring cycle; the unique slot makes each cycle computed once.
CREATE TABLE IF NOT EXISTS monitoring_runs (
    id               BIGSERIAL NOT NULL,
    slot             TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at      TIMESTAMP WITH TIME ZONE,
    window_start     TIMESTAMP WITH TIME ZONE NOT NULL,
    window_end       TIMESTAMP WITH TIME ZONE NOT NULL,
    n_rows           INTEGER NOT NULL,
    status           VARCHAR(32) NOT NULL,
    model_version    VARCHAR(64),
    dataset_drift    BOOLEAN,
    drift_share      FLOAT,
    prediction_drift BOOLEAN,
    error            TEXT,
    details          JSONB,
    PRIMARY KEY (id),
    UNIQUE (slot)
);
CREATE INDEX IF NOT EXISTS ix_monitoring_runs_started_at ON monitoring_runs (started_at);

-- One statistical test on one feature (or the score) in one cycle.
CREATE TABLE IF NOT EXISTS drift_results (
    id           BIGSERIAL NOT NULL,
    run_id       BIGINT NOT NULL,
    computed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL,
    window_end   TIMESTAMP WITH TIME ZONE NOT NULL,
    feature      VARCHAR(64) NOT NULL,
    feature_kind VARCHAR(16) NOT NULL,
    test         VARCHAR(32) NOT NULL,
    statistic    FLOAT,
    p_value      FLOAT,
    threshold    FLOAT NOT NULL,
    drifted      BOOLEAN NOT NULL,
    severity     VARCHAR(32) NOT NULL,
    n_reference  INTEGER NOT NULL,
    n_current    INTEGER NOT NULL,
    details      JSONB NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_drift_results_run_feature_test UNIQUE (run_id, feature, test),
    FOREIGN KEY (run_id) REFERENCES monitoring_runs (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_drift_results_feature_computed_at ON drift_results (feature, computed_at);
CREATE INDEX IF NOT EXISTS ix_drift_results_computed_at ON drift_results (computed_at);

-- Realized (labelled) and estimated (from scores) performance per cycle.
CREATE TABLE IF NOT EXISTS performance_results (
    id           BIGSERIAL NOT NULL,
    run_id       BIGINT NOT NULL,
    computed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL,
    window_end   TIMESTAMP WITH TIME ZONE NOT NULL,
    kind         VARCHAR(16) NOT NULL,
    n_rows       INTEGER NOT NULL,
    metrics      JSONB NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_performance_results_run_kind UNIQUE (run_id, kind),
    FOREIGN KEY (run_id) REFERENCES monitoring_runs (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_performance_results_computed_at ON performance_results (computed_at);

-- Alerts: at most one unresolved alert per (kind, feature).
CREATE TABLE IF NOT EXISTS alerts (
    id              BIGSERIAL NOT NULL,
    kind            VARCHAR(32) NOT NULL,
    feature         VARCHAR(64) NOT NULL,
    severity        VARCHAR(16) NOT NULL,
    status          VARCHAR(16) NOT NULL,
    message         TEXT NOT NULL,
    value           FLOAT,
    threshold       FLOAT,
    opened_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    acknowledged_at TIMESTAMP WITH TIME ZONE,
    resolved_at     TIMESTAMP WITH TIME ZONE,
    clear_cycles    INTEGER NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_alerts_status CHECK (status IN ('open', 'acknowledged', 'resolved'))
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_alerts_open_kind_feature ON alerts (kind, feature) WHERE status <> 'resolved';
CREATE INDEX IF NOT EXISTS ix_alerts_status_opened_at ON alerts (status, opened_at);

-- The traffic simulator's control row (always id = 1).
CREATE TABLE IF NOT EXISTS simulator_control (
    id         INTEGER NOT NULL,
    scenario   VARCHAR(32) NOT NULL,
    params     JSONB NOT NULL,
    rps        FLOAT,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT ck_simulator_control_single_row CHECK (id = 1)
);
