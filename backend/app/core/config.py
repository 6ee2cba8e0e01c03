"""Service settings, read once from the environment (see .env.example)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parents[2]
#: Defaults shared with the monitoring worker's settings.
DEFAULT_DATABASE_URL = f"sqlite:///{BACKEND_DIR / 'driftwatch.db'}"
DEFAULT_MODEL_DIR = BACKEND_DIR / "artifacts"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; PostgreSQL in the stack, an SQLite file by default.",
    )
    model_dir: Path = Field(
        default=DEFAULT_MODEL_DIR,
        description="Folder holding versioned model artifacts; the newest is served.",
    )
    model_version: str | None = Field(
        default=None, description="Serve this artifact version instead of the newest."
    )
    cors_origins: str = Field(default="http://localhost:3000", description="Comma-separated.")
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    write_batch_size: int = Field(default=500, ge=1)
    write_interval_ms: int = Field(default=100, ge=5)
    write_queue_max: int = Field(default=100_000, ge=100)
    live_push_interval_s: float = Field(default=1.0, gt=0)
    log_level: str = "INFO"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
