"""Retrain jobs: asking for one, and following it to its end."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from driftwatch_core.types import WholeInt

JobStatus = Literal["queued", "training", "evaluating", "registered", "failed"]


class RetrainIn(BaseModel):
    """What to retrain on; omitted fields take the server's defaults (RETRAIN_TRIALS, RETRAIN_WINDOW_MINUTES)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"trials": 5, "window_minutes": 60}, {}]})

    trials: WholeInt | None = Field(
        default=None,
        ge=0,
        le=50,
        strict=True,
        description="Hyper-parameter search trials (Optuna TPE on a validation split of the training traffic); "
        "0 trains app.ml.train's parameters. Default: RETRAIN_TRIALS (5).",
    )
    window_minutes: float | None = Field(
        default=None,
        gt=0,
        le=60 * 24 * 30,
        allow_inf_nan=False,
        strict=True,
        description="Learn from the labelled predictions of the last this many minutes (the newest "
        "RETRAIN_HOLDOUT_SHARE of them held out to evaluate). Default: RETRAIN_WINDOW_MINUTES (60).",
    )


class RetrainJobOut(BaseModel):
    """A retrain job: queued → training → evaluating → registered (a challenger in shadow) or failed (why)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: int
    model: str
    status: JobStatus
    trigger: str = Field(description="`manual` (the API, the command line) or `policy` (the worker's retrain policy).")
    requested_by: str = Field(description="Who asked: an API key (`admin:3f2a9c1d`), `cli <user>`, or empty.")
    params: dict[str, Any] = Field(description="`trials` and `window_minutes`, defaults filled in.")
    created_at: datetime
    started_at: datetime | None = Field(description="When a runner claimed it; null while queued.")
    finished_at: datetime | None = Field(description="When it was registered or failed.")
    progress: str = Field(description="What it is doing, in words: `training: trial 3 of 5` …")
    error: str | None = Field(description="Why it failed (too few labels, timed out, …); null otherwise.")
    version: str | None = Field(description="The challenger it registered in shadow.")
    result: dict[str, Any] | None = Field(
        description="Once registered: the data `mix` (traffic and original rows), `time_range`, the `holdout` "
        "(rows, range, both ROC-AUCs, precision/recall/F1 of both at the threshold), `params`, `trials`. "
        "Once failed: `failure` (refused, error, timeout, crashed, stopped) and what is known."
    )
