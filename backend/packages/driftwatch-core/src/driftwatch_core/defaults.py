"""Where the services keep their data when nothing says otherwise.

The stack always says: Compose and ``./scripts/setup.sh`` pass ``DATABASE_URL`` to
every service. This default serves a service started by hand (``uvicorn app.main:app``,
``python -m worker``); the backend and the worker share it, so both find the same
SQLite file from any folder.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path.home() / ".driftwatch"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'driftwatch.db'}"
