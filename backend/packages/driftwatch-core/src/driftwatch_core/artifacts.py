"""Versioned model artifacts on disk: booster (XGBoost JSON), metadata, reference.

Layout::

    <model_dir>/<version>/model.json       the booster, XGBoost's own JSON format
    <model_dir>/<version>/metadata.json    version, metrics, threshold, schema, seed
    <model_dir>/<version>/reference.json   what the worker compares traffic with
    <model_dir>/LATEST                     the version served by default

Never pickle: loading a pickle runs code, loading XGBoost JSON does not.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

BOOSTER_FILE = "model.json"
METADATA_FILE = "metadata.json"
REFERENCE_FILE = "reference.json"
LATEST_FILE = "LATEST"


class ArtifactNotFound(FileNotFoundError):
    pass


@dataclass(frozen=True)
class ArtifactPaths:
    folder: Path

    @property
    def booster(self) -> Path:
        return self.folder / BOOSTER_FILE

    @property
    def metadata(self) -> Path:
        return self.folder / METADATA_FILE

    @property
    def reference(self) -> Path:
        return self.folder / REFERENCE_FILE


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    _atomic_write(path, json.dumps(data, indent=1))


def mark_latest(model_dir: Path, version: str) -> None:
    _atomic_write(model_dir / LATEST_FILE, version + "\n")


def resolve(model_dir: Path, version: str | None = None) -> ArtifactPaths:
    """Find the artifact folder for ``version`` (default: the one LATEST names)."""
    if version is None:
        latest = model_dir / LATEST_FILE
        if not latest.is_file():
            raise ArtifactNotFound(f"no trained model in {model_dir} (run ./scripts/train_model.sh)")
        version = latest.read_text().strip()
    paths = ArtifactPaths(model_dir / version)
    if not (paths.booster.is_file() and paths.metadata.is_file()):
        raise ArtifactNotFound(f"model version {version!r} is incomplete in {model_dir}")
    return paths


def load_metadata(paths: ArtifactPaths) -> dict:
    return json.loads(paths.metadata.read_text())


def load_reference(paths: ArtifactPaths) -> dict:
    return json.loads(paths.reference.read_text())
