"""Dashboard sign-in: the key sent, and who the caller is."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.security import MAX_KEY_LENGTH


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"key": "dwa_3Jq9...from .env"}]})
    key: str = Field(
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="An admin or predict key (ADMIN_API_KEYS in the project's .env).",
    )


class SessionOut(BaseModel):
    authenticated: bool
    role: Literal["admin", "predict"] | None = Field(description="What the caller may do.")
    key_id: str | None = Field(description="Names the key (first 8 hex digits of its SHA-256).")
    method: Literal["key", "session"] | None = Field(description="How the caller proved it.")
    expires_at: datetime | None = Field(description="When the session ends (sessions only).")
    reads_require_auth: bool = Field(description="Whether GET routes need a credential here.")
