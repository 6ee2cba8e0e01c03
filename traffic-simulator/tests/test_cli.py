"""The command line: every option documented, bad values refused by name, SIGTERM exits 0 after a flush."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from simulator.config import ConfigError, Settings, env_name, load_settings


def _simulator(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "simulator", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **kwargs,
    )


@pytest.mark.slow
def test_help_documents_every_option_with_its_environment_variable():
    result = subprocess.run([sys.executable, "-m", "simulator", "--help"], capture_output=True, text=True, check=True)
    text = " ".join(result.stdout.split())
    for name in Settings.model_fields:
        assert env_name(name) in text, name
    for flag in ("--rps", "--scenario", "--duration", "--backend-url", "--label-delay-s", "--auto-drift", "--model"):
        assert flag in text


def test_empty_variables_take_the_default(monkeypatch):
    monkeypatch.setenv("SIM_SEED", "")
    monkeypatch.setenv("SIM_RPS", "")
    settings, _ = load_settings([])
    assert settings.seed is None and settings.rps == 10


def test_sim_model_is_empty_by_default_and_named_by_the_variable_or_the_flag(monkeypatch):
    monkeypatch.setenv("SIM_MODEL", "")
    assert load_settings([])[0].model is None  # ask the backend
    monkeypatch.setenv("SIM_MODEL", "fraud")
    assert load_settings([])[0].model == "fraud"
    assert load_settings(["--model", "fraud-b"])[0].model == "fraud-b"
    assert load_settings(["--model", ""])[0].model is None


def test_flags_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("SIM_RPS", "20")
    monkeypatch.setenv("SIM_LABEL_RATE", "0.5")
    monkeypatch.setenv("BACKEND_URL", "http://backend:8000/")
    settings, given = load_settings(["--rps", "50", "--scenario", "sudden", "--duration", "60"])
    assert (settings.rps, settings.label_rate, settings.scenario, settings.duration_s) == (50, 0.5, "sudden", 60)
    assert settings.backend_url == "http://backend:8000" and set(given) == {"rps", "scenario", "duration_s"}


@pytest.mark.parametrize(
    ("argv", "env", "fragment"),
    [
        (["--rps", "500"], {}, "--rps / SIM_RPS: Input should be less than or equal to 200"),
        ([], {"SIM_RPS": "0.5"}, "--rps / SIM_RPS: Input should be greater than or equal to 1"),
        (["--scenario", "tsunami"], {}, "--scenario / SIM_SCENARIO: Value error, unknown scenario 'tsunami'"),
        ([], {"SIM_LABEL_RATE": "1.5"}, "--label-rate / SIM_LABEL_RATE"),
        ([], {"BACKEND_URL": "backend:8000"}, "--backend-url / BACKEND_URL"),
        (["--fraud-rate", "0.7"], {}, "--fraud-rate / SIM_FRAUD_RATE"),
        (["--model", "Fraud Model"], {}, "--model / SIM_MODEL: Value error, expected a registered model's name"),
        ([], {"SIM_MODEL": "x"}, "--model / SIM_MODEL"),
    ],
)
def test_bad_values_are_refused_naming_the_option(monkeypatch, argv, env, fragment):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(")):
        load_settings(argv)


@pytest.mark.slow
def test_a_bad_value_exits_2_with_the_message():
    proc = _simulator("--rps", "1000")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--rps / SIM_RPS" in out


@pytest.mark.slow
def test_sigterm_flushes_pending_labels_and_exits_0(fake_backend):
    proc = _simulator(
        "--backend-url",
        fake_backend.url,
        "--rps",
        "40",
        "--label-delay-s",
        "60",
        "--label-rate",
        "1",
        "--seed",
        "3",
        env={"LOG_LEVEL": "INFO"},
    )
    deadline = time.monotonic() + 60
    while len(fake_backend.predictions) < 80:  # two seconds of traffic
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"no 80 predictions: {proc.communicate()[0]}")
        time.sleep(0.1)
    assert fake_backend.labels == {}  # none due yet
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)  # the flush is bounded (SIM_SHUTDOWN_TIMEOUT_S, 5 s)
    assert proc.returncode == 0, out
    sent, ok = map(int, re.search(r"stopped: .* totals sent (\d+) ok (\d+)", out).groups())
    # Every prediction answered has its label; one never answered (cancelled at shutdown) may be stored without.
    assert set(fake_backend.labels) <= set(fake_backend.predictions)
    assert len(fake_backend.predictions) - len(fake_backend.labels) <= sent - ok
    assert "flushing" in out and "stopped:" in out


def test_the_readme_lists_every_option():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`{env_name(name)}`" in readme, name
