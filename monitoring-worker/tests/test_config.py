"""Settings from the environment fail fast and name the bad variable."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from worker.config import WorkerSettings


def test_defaults_match_the_documented_ones(monkeypatch):
    for name in (
        "WORKER_INTERVAL_S",
        "WORKER_WINDOW_MINUTES",
        "WORKER_MIN_SAMPLES",
        "RETENTION_DAYS",
        "WORKER_THRESHOLDS",
        "WORKER_RESOLVE_AFTER",
        "WORKER_MIN_ROC_AUC",
        "AUTO_PROMOTE",
        "PROMOTE_MIN_LABELS",
        "PROMOTE_MARGIN",
        "RETRAIN_POLICY",
        "RETRAIN_MIN_ROC_AUC",
        "RETRAIN_AFTER_CYCLES",
        "RETRAIN_COOLDOWN_MINUTES",
    ):
        monkeypatch.delenv(name, raising=False)
    s = WorkerSettings()
    assert (s.interval_s, s.window_minutes, s.min_samples, s.label_window_minutes) == (30, 5, 200, 30)
    assert (s.resolve_after, s.retention_days, s.cost_fp, s.cost_fn) == (3, 7, 50, 500)
    assert s.threshold_table().for_feature("amount")["psi_significant"] == 0.25
    assert (s.auto_promote, s.promote_min_labels, s.promote_margin) == (False, 300, 0.0)
    assert (s.retrain_policy, s.retrain_after_cycles, s.retrain_cooldown_minutes) == (False, 3, 30)
    assert s.retrain_min_roc_auc is None and s.retrain_floor == s.min_roc_auc == 0.8


def test_the_retrain_floor_follows_worker_min_roc_auc_unless_set(monkeypatch):
    monkeypatch.setenv("WORKER_MIN_ROC_AUC", "0.7")
    monkeypatch.setenv("RETRAIN_MIN_ROC_AUC", "")  # as Compose passes an unset variable
    assert WorkerSettings().retrain_floor == 0.7
    monkeypatch.setenv("RETRAIN_MIN_ROC_AUC", "0.65")
    monkeypatch.setenv("AUTO_PROMOTE", "1")
    s = WorkerSettings()
    assert s.retrain_floor == 0.65 and s.auto_promote is True


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
        ("WORKER_INTERVAL_S", "0", "WORKER_INTERVAL_S"),
        ("WORKER_MIN_ROC_AUC", "1.5", "WORKER_MIN_ROC_AUC"),
        ("PROMOTE_MIN_LABELS", "0", "PROMOTE_MIN_LABELS"),
        ("RETRAIN_MIN_ROC_AUC", "2", "RETRAIN_MIN_ROC_AUC"),
        ("RETRAIN_AFTER_CYCLES", "0", "RETRAIN_AFTER_CYCLES"),
        ("AUTO_PROMOTE", "perhaps", "AUTO_PROMOTE"),
    ],
)
def test_bad_values_fail_at_start_naming_the_setting(monkeypatch, name, value, needle):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=needle):
        WorkerSettings()
