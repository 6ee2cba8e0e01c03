"""Where the services keep their data when nothing says otherwise.

The stack always says: Compose and ``./scripts/setup.sh`` pass ``DATABASE_URL``
and ``MODEL_DIR`` to every service. These defaults serve a service started by
hand (``uvicorn app.main:app``, ``python -m worker``); the backend and the worker
share them, so both find the same SQLite file and model folder from any folder.
"""

from __future__ import annotations

from pathlib import Path

#: The built-in model: what every row of the release before the registry belongs to.
DEFAULT_MODEL = "fraud"
DATA_DIR = Path.home() / ".driftwatch"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'driftwatch.db'}"
DEFAULT_MODEL_DIR = DATA_DIR / "models"
