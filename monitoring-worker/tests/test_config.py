"""Settings from the environment fail fast and name the bad variable; imports stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from worker.config import WorkerSettings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_match_the_documented_ones(monkeypatch):
    for name in (
        "WORKER_INTERVAL_S",
        "WORKER_WINDOW_MINUTES",
        "WORKER_MIN_SAMPLES",
        "RETENTION_DAYS",
        "WORKER_THRESHOLDS",
        "WORKER_RESOLVE_AFTER",
    ):
        monkeypatch.delenv(name, raising=False)
    s = WorkerSettings()
    assert (s.interval_s, s.window_minutes, s.min_samples, s.label_window_minutes) == (30, 5, 200, 30)
    assert (s.resolve_after, s.retention_days, s.cost_fp, s.cost_fn) == (3, 7, 50, 500)
    assert s.threshold_table().for_feature("amount")["psi_significant"] == 0.25


def test_thresholds_from_inline_json_and_from_a_file(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKER_THRESHOLDS", '{"amount": {"psi": 0.2}}')
    assert WorkerSettings().threshold_table().for_feature("amount")["psi_moderate"] == 0.2
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"*": {"alpha": 0.0001}}))
    monkeypatch.setenv("WORKER_THRESHOLDS", str(path))
    assert WorkerSettings().threshold_table().for_feature("customer_age")["alpha"] == 0.0001


@pytest.mark.parametrize(
    "name, value, needle",
    [
        ("WORKER_THRESHOLDS", '{"amount": {"nope": 1}}', "unknown threshold 'nope'"),
        ("WORKER_THRESHOLDS", '{"colour": {"psi": 1}}', "unknown feature 'colour'"),
        ("WORKER_INTERVAL_S", "0", "WORKER_INTERVAL_S"),
        ("WORKER_MIN_ROC_AUC", "1.5", "WORKER_MIN_ROC_AUC"),
    ],
)
def test_bad_values_fail_at_start_naming_the_setting(monkeypatch, name, value, needle):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=needle):
        WorkerSettings()


def test_the_worker_imports_neither_xgboost_nor_fastapi():
    code = (
        "import sys, worker.__main__, worker.cycle; "
        "print(sorted(m for m in ('xgboost', 'fastapi', 'shap') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{ROOT / 'backend'}:{ROOT / 'monitoring-worker'}"},
    )
    assert out.stdout.strip() == "[]"
