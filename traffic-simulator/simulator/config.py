"""Simulator settings: every option is an environment variable and a command-line flag.

The fields below are the one table of options: ``--help``, the environment
names and the validation all come from it. Command-line flags win over the
environment; a bad value stops the simulator at start with a message naming
the option.

The model the traffic goes to is the backend's to say (``GET /api/v1/simulator``
names it; ``PUT /api/v1/simulator {"model": ...}`` switches it). ``SIM_MODEL``
(``--model``) is only what to send to before the backend has answered once;
empty (the default), the simulator waits for the backend to name it.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from driftwatch_core.scenarios import MAX_RPS, MIN_RPS, MODEL_NAME_PATTERN, SCENARIO_NAMES

#: Options read from an environment variable without the SIM_ prefix.
_UNPREFIXED = {"backend_url": "BACKEND_URL", "log_level": "LOG_LEVEL"}


def env_name(field: str) -> str:
    return _UNPREFIXED.get(field, f"SIM_{field.upper()}")


def _env(field: str) -> AliasChoices:
    return AliasChoices(field, _UNPREFIXED[field])


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SIM_",
        env_file=None,
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    backend_url: str = Field(
        "http://127.0.0.1:8000",
        validation_alias=_env("backend_url"),
        description="Base URL of the Driftwatch backend.",
    )
    model: str | None = Field(
        None,
        description="Model to send traffic and labels to until GET /api/v1/simulator first answers; "
        "from then on the model the backend names (PUT /api/v1/simulator switches it). "
        "Empty: wait for the backend to name it.",
    )
    rps: float = Field(
        10.0,
        ge=MIN_RPS,
        le=MAX_RPS,
        description=f"Requests per second, {MIN_RPS:g} to {MAX_RPS:g}; "
        "a non-null rps set by PUT /api/v1/simulator wins.",
    )
    scenario: str = Field(
        "none",
        description=f"Scenario to start with ({', '.join(SCENARIO_NAMES)}). From the environment "
        "it applies only while the backend has none stored; the --scenario flag is always sent.",
    )
    auto_drift: bool = Field(
        False,
        description="Run the demo schedule (normal, sudden, normal, gradual, ..., fraud_ring, ...) "
        "by switching the backend's scenario in a loop.",
    )
    label_rate: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Share of predictions whose true label is posted to /api/v1/feedback.",
    )
    label_delay_s: float = Field(
        60.0,
        ge=0.0,
        le=86_400.0,
        description="Seconds from a prediction to its label, jittered ±20% (the label_delay scenario overrides it).",
    )
    fraud_rate: float = Field(0.03, gt=0.0, lt=0.5, description="Share of fraudulent transactions in normal traffic.")
    seed: int | None = Field(None, description="Random seed for reproducible traffic (default: random).")
    concurrency: int = Field(50, ge=1, le=1000, description="Most requests in flight at once.")
    duration_s: float | None = Field(
        None, gt=0.0, description="Stop after this many seconds (default: run until SIGTERM)."
    )
    timeout_s: float = Field(5.0, gt=0.0, le=120.0, description="Timeout of one HTTP request, in seconds.")
    control_interval_s: float = Field(
        2.0, gt=0.0, le=5.0, description="Seconds between reads of GET /api/v1/simulator."
    )
    log_interval_s: float = Field(10.0, gt=0.0, description="Seconds between progress log lines.")
    label_queue_max: int = Field(
        100_000, ge=1, description="Most labels waiting to be sent; beyond it the oldest are dropped."
    )
    shutdown_timeout_s: float = Field(
        5.0,
        gt=0.0,
        le=60.0,
        description="On SIGTERM/SIGINT, seconds allowed to send the labels still pending.",
    )
    log_level: str = Field(
        "INFO",
        validation_alias=_env("log_level"),
        description="Logging level: DEBUG, INFO, WARNING or ERROR.",
    )
    api_key: SecretStr | None = Field(
        None,
        repr=False,
        description="API key sent as X-API-Key with every request: a predict key (PREDICT_API_KEYS) "
        "for traffic and labels; switching scenarios (SIM_SCENARIO, SIM_AUTO_DRIFT) needs an admin "
        "key (ADMIN_API_KEYS). Never logged; prefer the environment to the flag.",
    )

    @field_validator("scenario")
    @classmethod
    def _known_scenario(cls, value: str) -> str:
        if value not in SCENARIO_NAMES:
            raise ValueError(f"unknown scenario {value!r}; expected one of {', '.join(SCENARIO_NAMES)}")
        return value

    @field_validator("model", mode="before")
    @classmethod
    def _model_name(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None  # an empty --model, like an empty SIM_MODEL, asks the backend
        if isinstance(value, str) and not re.fullmatch(MODEL_NAME_PATTERN, value):
            raise ValueError(
                f"expected a registered model's name (lower-case letters, digits and -, "
                f"starting with a letter, 2 to 32 characters), got {value!r}"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"unknown log level {value!r}; expected DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("api_key")
    @classmethod
    def _one_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value().strip()
        if "," in key:
            raise ValueError("expected one key, not a comma-separated list")
        if not key or not key.isprintable() or any(c.isspace() for c in key):
            raise ValueError("expected one key of printable characters without spaces")
        return SecretStr(key)

    @field_validator("backend_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")


class ConfigError(ValueError):
    """A bad option; the message names it by flag and environment variable."""


def _flag(field: str) -> str:
    return "--duration" if field == "duration_s" else "--" + field.replace("_", "-")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Stream realistic transactions to the Driftwatch backend at a steady rate, "
        "with drift scenarios and delayed ground-truth labels. Every option can also be set by "
        "the environment variable shown; flags win.",
    )
    for name, info in Settings.model_fields.items():
        default = "" if info.default is None else f" (default {info.default})"
        help_text = f"{info.description}{default} [env {env_name(name)}]".replace("%", "%%")
        if info.annotation is bool:
            parser.add_argument(
                _flag(name), dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text
            )
        else:
            parser.add_argument(_flag(name), dest=name, default=None, metavar=name.upper(), help=help_text)
    return parser


def load_settings(argv: list[str] | None = None) -> tuple[Settings, dict[str, Any]]:
    """Settings from the environment and ``argv``; also returns the flags given explicitly."""
    given = {k: v for k, v in vars(build_parser().parse_args(argv)).items() if v is not None}
    try:
        return Settings(**given), given
    except ValidationError as exc:
        problems = [f"{_flag(str(e['loc'][0]))} / {env_name(str(e['loc'][0]))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("; ".join(problems)) from exc
