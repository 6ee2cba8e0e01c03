"""The registry's command line, as an operator types it, against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import GradientBoostingClassifier
from sqlalchemy.orm import Session

from driftwatch_core.db.models import ModelVersion, RegisteredModel

pytestmark = pytest.mark.slow


def run(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.registry", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_register_a_parquet_reference_and_an_onnx_model_from_the_terminal(database_url, clean_db, tmp_path):
    frame = load_breast_cancer(as_frame=True).frame.rename(columns={"target": "benign"})
    X = frame.drop(columns="benign").to_numpy(np.float32)
    model = GradientBoostingClassifier(n_estimators=30, random_state=0).fit(X, frame["benign"])
    (tmp_path / "model.onnx").write_bytes(to_onnx(model, X[:1]).SerializeToString())  # zipmap output
    frame.to_parquet(tmp_path / "ref.parquet")
    args = ["register", "--name", "tumours", "--model", str(tmp_path / "model.onnx")]
    args += ["--reference", str(tmp_path / "ref.parquet"), "--label", "benign"]

    checked = run(database_url, *args, "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "30 features (inferred from the reference)" in checked.stdout and "nothing stored" in checked.stdout
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, "tumours") is None

    done = run(database_url, *args)
    assert done.returncode == 0, done.stderr
    with Session(clean_db) as session:
        (version,) = session.query(ModelVersion).filter_by(model_name="tumours").all()
        assert version.format == "onnx" and version.label_column == "benign" and version.metrics["roc_auc"] > 0.95
        assert version.source["reference_file"] == "ref.parquet"
    listed = run(database_url, "list")
    assert "tumours\tbinary_classification\t1 version(s)" in listed.stdout


def test_a_refusal_names_the_column_and_exits_2(database_url, clean_db, tmp_path):
    frame = load_breast_cancer(as_frame=True).frame
    model = GradientBoostingClassifier(n_estimators=5).fit(frame.drop(columns="target"), frame["target"])
    X = frame.drop(columns="target").to_numpy(np.float32)
    (tmp_path / "model.onnx").write_bytes(to_onnx(model, X[:1]).SerializeToString())
    frame.assign(target=frame["target"].map({0: "malignant", 1: "benign"})).to_csv(tmp_path / "ref.csv", index=False)
    refused = run(
        database_url, "register", "--name", "tumours", "--model", str(tmp_path / "model.onnx"),
        "--reference", str(tmp_path / "ref.csv"), "--label", "target",
    )  # fmt: skip
    assert refused.returncode == 2 and refused.stderr.startswith("error: label: "), refused.stderr
    assert "'target'" in refused.stderr and "malignant" in refused.stderr
    with Session(clean_db) as session:
        assert session.get(RegisteredModel, "tumours") is None
