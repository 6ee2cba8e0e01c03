"""Who is calling: API keys with roles, and the dashboard's session cookie.

Keys come from ``ADMIN_API_KEYS`` and ``PREDICT_API_KEYS`` (comma-separated, so a
key can be rotated without downtime). A presented key is hashed with SHA-256 and
looked up by its digest; the match is confirmed with ``hmac.compare_digest``, so
the time taken does not depend on how much of a key was right. Keys are never
logged or returned: a key is named by its ``key_id``, the first 8 hex digits of
its digest.

A session is what the dashboard holds instead of a key: ``POST /auth/session``
exchanges a key for a signed, time-limited token (itsdangerous) carrying the
role and the key_id, never the key. Tokens are signed with ``SESSION_SECRET``,
or with a secret derived from the configured keys, so every backend replica
accepts the same cookie without shared state, and removing a key ends the
sessions it opened.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.config import Settings

Role = Literal["predict", "admin"]
_RANK = {"predict": 1, "admin": 2}
SESSION_COOKIE = "driftwatch_session"
API_KEY_HEADER = "X-API-Key"
MAX_KEY_LENGTH = 512


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def split_keys(raw: str) -> list[str]:
    return [k.strip() for k in raw.split(",") if k.strip()]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the role it acts with and how it proved it."""

    role: Role
    key_id: str
    method: Literal["key", "session"]
    expires_at: datetime | None = None

    def may(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]


class KeyRing:
    """The configured keys, by digest; an admin key listed twice stays admin."""

    def __init__(self, admin_keys: str, predict_keys: str) -> None:
        self._roles: dict[bytes, Role] = {}
        for role, raw in (("predict", predict_keys), ("admin", admin_keys)):
            for key in split_keys(raw):
                self._roles[_digest(key)] = role  # type: ignore[assignment]

    def __bool__(self) -> bool:
        return bool(self._roles)

    def identify(self, key: str) -> Principal | None:
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
        digest = _digest(key)
        role = next((r for d, r in self._roles.items() if hmac.compare_digest(d, digest)), None)
        return Principal(role, digest.hex()[:8], "key") if role else None

    def holds(self, key_id: str, role: str) -> bool:
        return any(d.hex()[:8] == key_id and r == role for d, r in self._roles.items())

    def fingerprint(self) -> bytes:
        return hashlib.sha256(b"".join(sorted(self._roles))).digest()


class Sessions:
    """Signed session tokens: ``issue`` one for a principal, ``read`` it back."""

    def __init__(self, keys: KeyRing, secret: str, ttl: timedelta) -> None:
        self.keys, self.ttl = keys, ttl
        signing = secret.encode() if secret else keys.fingerprint()
        self._serializer = URLSafeTimedSerializer(signing, salt="driftwatch-session")

    def issue(self, principal: Principal) -> tuple[str, Principal]:
        token = self._serializer.dumps({"role": principal.role, "key_id": principal.key_id})
        expires = datetime.now(UTC) + self.ttl
        return token, Principal(principal.role, principal.key_id, "session", expires)

    def read(self, token: str) -> Principal | None:
        if not token or len(token) > 1024:
            return None
        try:
            data, signed_at = self._serializer.loads(
                token, max_age=int(self.ttl.total_seconds()), return_timestamp=True
            )
            role, key_id = data["role"], data["key_id"]
        except (BadSignature, KeyError, TypeError):
            return None
        if not self.keys.holds(key_id, role):  # the key was removed: its sessions end
            return None
        return Principal(role, key_id, "session", signed_at + self.ttl)


@dataclass(frozen=True)
class Credentials:
    """What a request presented, before it is checked."""

    key: str | None
    session: str | None


@dataclass(frozen=True)
class Identity:
    """The outcome of checking a request's credentials."""

    principal: Principal | None
    problem: str | None = None  # why a presented credential was refused


class Security:
    """Keys and sessions of one app, built from its settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keys = KeyRing(settings.admin_api_keys, settings.predict_api_keys)
        self.sessions = Sessions(self.keys, settings.session_secret, timedelta(minutes=settings.session_ttl_minutes))
        self.allowed_origins = frozenset(split_keys(settings.cors_origins))

    def identify(self, credentials: Credentials) -> Identity:
        """A presented key wins over a cookie; a bad one is refused, not ignored."""
        if credentials.key is not None:
            principal = self.keys.identify(credentials.key)
            return Identity(principal, None if principal else "the API key is not valid")
        if credentials.session is not None:
            principal = self.sessions.read(credentials.session)
            return Identity(principal, None if principal else "the session has expired; sign in again")
        return Identity(None)


def credentials_from(headers: dict[str, str], cookies: dict[str, str]) -> Credentials:
    """The key (``X-API-Key`` or ``Authorization: Bearer``) and session cookie of a request."""
    key = headers.get(API_KEY_HEADER.lower())
    if key is None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            key = value.strip()
    return Credentials(key, cookies.get(SESSION_COOKIE))
