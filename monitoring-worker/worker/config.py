"""Worker settings, read once from the environment (documented in README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from driftwatch_core.defaults import DEFAULT_DATABASE_URL
from worker.stats import Thresholds


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias=_env("DATABASE_URL"))
    log_level: str = Field(default="INFO", validation_alias=_env("LOG_LEVEL"))
    interval_s: float = Field(default=30.0, gt=0, validation_alias=_env("WORKER_INTERVAL_S"))
    window_minutes: float = Field(default=5.0, gt=0, validation_alias=_env("WORKER_WINDOW_MINUTES"))
    min_samples: int = Field(default=200, ge=1, validation_alias=_env("WORKER_MIN_SAMPLES"))
    max_rows: int = Field(default=200_000, ge=1_000, validation_alias=_env("WORKER_MAX_ROWS"))
    label_window_minutes: float = Field(default=30.0, gt=0, validation_alias=_env("WORKER_LABEL_WINDOW_MINUTES"))
    min_labels: int = Field(default=100, ge=1, validation_alias=_env("WORKER_MIN_LABELS"))
    min_positive_labels: int = Field(default=5, ge=0, validation_alias=_env("WORKER_MIN_POSITIVE_LABELS"))
    thresholds: Annotated[dict[str, dict[str, float]], NoDecode] = Field(
        default_factory=dict, validation_alias=_env("WORKER_THRESHOLDS")
    )
    resolve_after: int = Field(default=3, ge=1, validation_alias=_env("WORKER_RESOLVE_AFTER"))
    min_roc_auc: float = Field(default=0.8, ge=0, le=1, validation_alias=_env("WORKER_MIN_ROC_AUC"))
    cost_fp: float = Field(default=50.0, ge=0, validation_alias=_env("WORKER_COST_FP"))
    cost_fn: float = Field(default=500.0, ge=0, validation_alias=_env("WORKER_COST_FN"))
    alert_webhook_url: str | None = Field(default=None, validation_alias=_env("ALERT_WEBHOOK_URL"))
    webhook_timeout_s: float = Field(default=3.0, gt=0, validation_alias=_env("WORKER_WEBHOOK_TIMEOUT_S"))
    webhook_retries: int = Field(default=3, ge=0, validation_alias=_env("WORKER_WEBHOOK_RETRIES"))
    retention_days: float = Field(default=7.0, gt=0, validation_alias=_env("RETENTION_DAYS"))
    retention_batch: int = Field(default=5_000, ge=1, validation_alias=_env("WORKER_RETENTION_BATCH"))
    db_wait_s: float = Field(default=120.0, gt=0, validation_alias=_env("WORKER_DB_WAIT_S"))
    # Acting on drift: the promotion gate (worker.gate) and the retrain policy (worker.policy).
    auto_promote: bool = Field(default=False, validation_alias=_env("AUTO_PROMOTE"))
    promote_min_labels: int = Field(default=300, ge=1, validation_alias=_env("PROMOTE_MIN_LABELS"))
    promote_margin: float = Field(default=0.0, ge=-1, le=1, validation_alias=_env("PROMOTE_MARGIN"))
    retrain_policy: bool = Field(default=False, validation_alias=_env("RETRAIN_POLICY"))
    #: None: WORKER_MIN_ROC_AUC's value (``retrain_floor``).
    retrain_min_roc_auc: float | None = Field(default=None, ge=0, le=1, validation_alias=_env("RETRAIN_MIN_ROC_AUC"))
    retrain_after_cycles: int = Field(default=3, ge=1, validation_alias=_env("RETRAIN_AFTER_CYCLES"))
    retrain_cooldown_minutes: float = Field(default=30.0, ge=0, validation_alias=_env("RETRAIN_COOLDOWN_MINUTES"))

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds_json(cls, value):
        """Accept inline JSON or the path of a JSON file."""
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return {}
            if not text.startswith("{"):
                text = Path(text).read_text()
            return json.loads(text)
        return value

    @field_validator("retrain_min_roc_auc", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        """``RETRAIN_MIN_ROC_AUC=`` (as Compose passes an unset variable): WORKER_MIN_ROC_AUC's value."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("thresholds")
    @classmethod
    def _thresholds_known(cls, value):
        Thresholds(value)  # raises naming the bad threshold
        return value

    @property
    def retrain_floor(self) -> float:
        """The realized ROC-AUC below which the retrain policy counts a cycle as bad."""
        return self.min_roc_auc if self.retrain_min_roc_auc is None else self.retrain_min_roc_auc

    def threshold_table(self) -> Thresholds:
        """The thresholds with every override: global (``"*"``) and per feature, the feature of that
        name in whichever model has one (a name no monitored model has is logged by the cycle)."""
        return Thresholds(self.thresholds)
