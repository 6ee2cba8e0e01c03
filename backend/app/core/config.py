"""Service settings, read once from the environment (see .env.example)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from driftwatch_core.defaults import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    # Inputs stay out of error messages: some are secrets.
    model_config = SettingsConfigDict(env_file=None, extra="ignore", hide_input_in_errors=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; PostgreSQL in the stack, an SQLite file (~/.driftwatch) by default.",
    )
    default_model: str = Field(
        default="fraud",
        pattern=r"^[a-z][a-z0-9-]{1,31}$",
        description="The registered model the unscoped routes (/predict, /drift …), the live channel and the "
        "simulator use when none is named; the demo model by default.",
    )
    cors_origins: str = Field(
        default="http://localhost:3000",
        description="Comma-separated browser origins allowed to call the API and open /ws/live.",
    )
    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,::1,backend",
        description="Comma-separated Host names the backend answers ('*' for any).",
    )
    admin_api_keys: str = Field(
        default="",
        repr=False,
        description="Comma-separated admin keys: everything, incl. simulator and alert actions.",
    )
    predict_api_keys: str = Field(
        default="", repr=False, description="Comma-separated keys that may score, explain and label."
    )
    require_auth_for_reads: bool = Field(
        default=False, description="Also require a key or session for GET routes and /ws/live."
    )
    session_secret: str = Field(
        default="",
        repr=False,
        description="Signs dashboard session cookies; derived from the admin keys when empty.",
    )
    session_ttl_minutes: int = Field(default=720, ge=1, le=60 * 24 * 30)
    session_cookie_secure: bool = Field(default=False, description="Mark the session cookie Secure (serve over HTTPS).")
    rate_limit_per_key: str = Field(
        default="300/second", description="Requests per key, e.g. '300/second'; 'off' disables."
    )
    rate_limit_per_address: str = Field(
        default="100/second", description="Requests per client address without a key; 'off' disables."
    )
    rate_limit_sign_in: str = Field(
        default="10/minute", description="Sign-in attempts per client address; 'off' disables."
    )
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_upload_bytes: int = Field(
        default=136 * 1024 * 1024,
        ge=1024,
        description="Largest model registration (multipart: a model up to 64 MiB and reference data up to 64 MiB).",
    )
    write_batch_size: int = Field(
        default=5_000, ge=1, description="Most predictions the writer stores in one COPY (one transaction)."
    )
    write_interval_ms: int = Field(default=100, ge=5)
    write_queue_max: int = Field(default=100_000, ge=100)
    shadow_queue_max: int = Field(
        default=10_000,
        ge=1,
        description="Rows waiting for shadow scoring; beyond it shadow rows are dropped (and counted), never answers.",
    )
    routing_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=5,
        description="How often each process reads the models' stages (a switch lands then).",
    )
    live_push_interval_s: float = Field(default=1.0, gt=0)
    predict_batch_max_rows: int = Field(
        default=64, ge=1, le=1024, description="Most single-row requests scored together in one model call."
    )
    predict_batch_wait_ms: float = Field(
        default=2.0,
        ge=0,
        le=50,
        description="Longest a single-row request waits for others to share its model call (alone: one loop turn).",
    )
    backend_workers: int | None = Field(
        default=None,
        ge=1,
        le=32,
        description="Server processes (python -m app.serve); each has its own writer, routing poller and live "
        "channel. Unset: 2 with PostgreSQL, 1 with SQLite (its writes take turns anyway).",
    )
    gc_freeze: bool = Field(
        default=True,
        description="Collect once at start and freeze what is left out of the garbage collector's walks "
        "(a process that serves requests); tests that build many apps in one process turn it off.",
    )
    access_log: bool = Field(
        default=False, description="Log every request (request ids and the metrics say what happened without it)."
    )
    retrain_runner: bool = Field(
        default=True, description="Run queued retrain jobs in this backend process (one at a time, in a subprocess)."
    )
    retrain_window_minutes: float = Field(
        default=60.0, gt=0, description="Retraining learns from the labelled predictions of the last this many minutes."
    )
    retrain_reference_share: float = Field(
        default=0.25, ge=0, lt=1, description="Largest share of the training set taken from the original training data."
    )
    retrain_holdout_share: float = Field(
        default=0.2,
        ge=0.05,
        le=0.5,
        description="Newest share of the labelled traffic held out to evaluate, never trained on.",
    )
    retrain_min_labels: int = Field(
        default=200, ge=20, description="Labelled predictions (of both classes) a retrain needs in its window."
    )
    retrain_max_rows: int = Field(
        default=20_000,
        ge=100,
        description="At most this many labelled predictions (the newest of the window) are read: "
        "a retrain's process takes about 430 MB with 20,000, 520 MB with 50,000.",
    )
    retrain_trials: int = Field(
        default=5,
        ge=0,
        le=50,
        description="Hyper-parameter search trials (Optuna TPE); 0 trains the default parameters.",
    )
    retrain_search_timeout_s: float = Field(
        default=120.0,
        gt=0,
        description="The hyper-parameter search stops after this many seconds, whatever its trials.",
    )
    retrain_timeout_s: float = Field(
        default=600.0,
        gt=0,
        description="A job training or evaluating for longer than this is failed (its process ended).",
    )
    retrain_poll_s: float = Field(default=2.0, gt=0, description="How often the runner looks for queued retrain jobs.")
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text", description="text, or json for one JSON object per log line."
    )

    @field_validator("admin_api_keys", "predict_api_keys")
    @classmethod
    def _strong_keys(cls, value: str) -> str:
        for key in (k.strip() for k in value.split(",")):
            if key and not (16 <= len(key) <= 512 and key.isprintable() and " " not in key):
                raise ValueError(
                    "every key must be 16 to 512 printable characters without spaces "
                    "(./scripts/setup.sh generates strong ones)"
                )
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def server_processes(self) -> int:
        """``BACKEND_WORKERS``, or its default for the database."""
        return self.backend_workers or (1 if self.is_sqlite else 2)


@lru_cache
def get_settings() -> Settings:
    return Settings()
