"""Train the demo model into the files a user would upload.

Data: the seeded transaction generator (``driftwatch_core.generator``), split 60/20/20
into train, validation and hold-out. The decision threshold minimises the expected
business cost on the validation split (a missed fraud costs ``cost_fn``, a false
alarm ``cost_fp``). The reference table is the hold-out split with its label, so the
registry's reference metrics are hold-out metrics, on rows neither fitting nor the
threshold has seen.

``write_files`` and ``read_files`` keep the files in a folder (a cache: training is
seeded, so the same rows and seed give the same booster).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb

from app.ml.boosting import NUM_ROUNDS, PARAMS, fit_booster
from app.ml.metrics import choose_threshold
from app.registry.registration import Upload
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import FEATURE_NAMES, FEATURES, schema_as_dicts
from driftwatch_core.generator import TransactionGenerator

log = logging.getLogger(__name__)

#: The demo model's registered name.
DEMO_MODEL = "fraud"
LABEL = "is_fraud"
DESCRIPTION = "Card-fraud classifier (XGBoost) trained on the synthetic transaction generator: the demo model."
DEFAULT_ROWS, DEFAULT_SEED = 50_000, 42
COST_FP, COST_FN = 50.0, 500.0
FILES = ("model.json", "reference.parquet", "schema.json", "upload.json")


@dataclass(frozen=True)
class DemoFiles:
    """What registering the demo model uploads."""

    artifact: bytes  # XGBoost JSON
    reference: bytes  # Parquet: the hold-out split's features and label
    schema: list[dict]
    threshold: float
    source: dict  # the trainer, its parameters and data, kept in the version's ``source``

    def upload(self, name: str = DEMO_MODEL) -> Upload:
        return Upload(
            name=name,
            artifact=self.artifact,
            reference=self.reference,
            reference_filename="reference.parquet",
            schema=self.schema,
            label=LABEL,
            threshold=self.threshold,
            description=DESCRIPTION,
            source=self.source,
        )


def train(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED) -> DemoFiles:
    """Train the demo model on ``rows`` generated transactions (about 5 s for 50,000)."""
    started = time.perf_counter()
    batch = TransactionGenerator(seed=seed).sample(rows)
    X, y = encode_columns(batch.columns, FEATURES), batch.labels.astype(int)
    order = np.random.default_rng(seed).permutation(rows)
    n_train, n_val = int(rows * 0.6), int(rows * 0.2)
    tr, va, te = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    booster = fit_booster(X[tr], y[tr], list(FEATURE_NAMES), seed=seed)
    threshold = choose_threshold(y[va], booster.inplace_predict(X[va]), COST_FP, COST_FN)
    holdout = pd.DataFrame({name: column[te] for name, column in batch.columns.items()})
    holdout[LABEL] = y[te]
    reference = io.BytesIO()
    holdout.to_parquet(reference, index=False)
    source = {
        "trainer": "app.demo",
        "algorithm": f"XGBoost {xgb.__version__} gradient-boosted trees",
        "params": {**PARAMS, "num_boost_round": NUM_ROUNDS},
        "data": {
            "generator": "driftwatch_core.generator",
            "rows": rows,
            "seed": seed,
            "positive_rate": float(y.mean()),
        },
        "split": {"train": len(tr), "validation": len(va), "holdout": len(te)},
        "threshold_rule": (
            f"minimises expected cost on the validation split with a false positive costing ${COST_FP:g} "
            f"and a false negative ${COST_FN:g}"
        ),
        "costs": {"false_positive": COST_FP, "false_negative": COST_FN},
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    log.info(
        "trained the demo model on %d rows in %.1f s (threshold %.4f)", rows, source["training_seconds"], threshold
    )
    return DemoFiles(
        bytes(booster.save_raw("json")), reference.getvalue(), schema_as_dicts(FEATURES), threshold, source
    )


def cache_key(rows: int, seed: int) -> str:
    """A folder name that changes whenever the trained files could: the inputs, the trainer's and
    the generator's code, XGBoost's version."""
    from driftwatch_core import features, generator

    digest = hashlib.sha256()
    for module in (__file__, generator.__file__, features.__file__):
        digest.update(Path(module).read_bytes())
    digest.update(xgb.__version__.encode())
    return f"demo-{rows}-{seed}-{digest.hexdigest()[:12]}"


def write_files(files: DemoFiles, folder: Path) -> None:
    """Write the files into a folder of this process's own, then move it in place at once (a cache
    two processes may fill together is never read half-written)."""
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.partial")
    partial.mkdir(parents=True, exist_ok=True)
    (partial / "model.json").write_bytes(files.artifact)
    (partial / "reference.parquet").write_bytes(files.reference)
    (partial / "schema.json").write_text(json.dumps(files.schema, indent=1))
    (partial / "upload.json").write_text(json.dumps({"threshold": files.threshold, "source": files.source}))
    try:
        partial.rename(folder)
    except OSError:  # another process moved its own in first: the same files
        shutil.rmtree(partial, ignore_errors=True)


def read_files(folder: Path) -> DemoFiles | None:
    """The files kept in ``folder``, or None when it holds no complete set."""
    if not all((folder / name).is_file() for name in FILES):
        return None
    meta = json.loads((folder / "upload.json").read_text())
    return DemoFiles(
        (folder / "model.json").read_bytes(),
        (folder / "reference.parquet").read_bytes(),
        json.loads((folder / "schema.json").read_text()),
        float(meta["threshold"]),
        meta["source"],
    )


def trained(rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED, cache: Path | None = None) -> DemoFiles:
    """The demo model's files: from ``cache`` when it holds them for these inputs, else trained (and kept there)."""
    folder = cache / cache_key(rows, seed) if cache is not None else None
    if folder is not None and (files := read_files(folder)) is not None:
        log.info("demo model files from %s", folder)
        return files
    files = train(rows, seed)
    if folder is not None:
        write_files(files, folder)
    return files
