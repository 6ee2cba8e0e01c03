"""The operator scripts without a running stack: first-run keys, the settings file, training a demo version.

Key generation runs ``scripts/lib/keys.sh`` from a fresh copy of ``scripts/``
with ``ENV_FILE`` in a temporary folder, exactly the function ``setup.sh`` calls
before it starts anything. ``train_model.sh`` registers a new demo version for real
in local mode (the SQLite file in RUN_DIR, the demo model's files from the tests'
cache). No Docker engine runs here, so its Docker mode is checked with a stand-in
``docker`` on PATH that records its arguments. Every test runs bash: ``slow``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from driftwatch_core.db.models import ModelVersion, RegisteredModel
from driftwatch_testing import demo_files
from driftwatch_testing.demo import cache_dir

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow
KEY_NAMES = ("ADMIN_API_KEYS", "PREDICT_API_KEYS", "SESSION_SECRET", "SIM_API_KEY")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 random bytes, URL-safe base64


@pytest.fixture
def scripts(tmp_path) -> Path:
    """A fresh copy of the project's scripts (no .env next to them)."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", root / "scripts")
    return root


def _env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), **extra}


def _bash(cwd: Path, script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _generate(project: Path, env_file: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/lib/keys.sh"],
        cwd=project,
        env=_env(ENV_FILE=str(env_file), **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _values(env_file: Path) -> dict[str, str]:
    lines = [line for line in env_file.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_the_first_run_writes_four_strong_keys_privately_and_says_where(scripts, tmp_path):
    env_file = tmp_path / "secrets" / "driftwatch.env"
    env_file.parent.mkdir()
    result = _generate(scripts, env_file)
    assert result.returncode == 0, result.stderr
    assert f"API keys are in {env_file}: sign in to the dashboard with ADMIN_API_KEYS" in result.stdout
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = _values(env_file)
    assert list(values) == list(KEY_NAMES)
    for name, prefix in (("ADMIN_API_KEYS", "dwa_"), ("PREDICT_API_KEYS", "dwp_"), ("SESSION_SECRET", "dws_")):
        assert values[name].startswith(prefix) and TOKEN.match(values[name].removeprefix(prefix)), name
        assert len(set(values[name])) >= 20, f"{name} does not look random"
    assert values["SIM_API_KEY"] == values["PREDICT_API_KEYS"]  # the simulator sends traffic and labels
    assert len({values["ADMIN_API_KEYS"], values["PREDICT_API_KEYS"], values["SESSION_SECRET"]}) == 3
    for value in values.values():  # never printed
        assert value not in result.stdout + result.stderr

    # Another fresh project gets other keys.
    other = tmp_path / "other.env"
    assert _generate(scripts, other).returncode == 0
    assert not set(_values(other).values()) & set(values.values())


def test_a_second_run_changes_nothing(scripts, tmp_path):
    env_file = tmp_path / ".env"
    assert _generate(scripts, env_file).returncode == 0
    before = env_file.read_bytes()
    again = _generate(scripts, env_file)
    assert again.returncode == 0, again.stderr
    assert env_file.read_bytes() == before and "generated" not in again.stdout


def test_empty_lines_from_env_example_are_filled_in_place_and_values_kept(scripts, tmp_path):
    env_file = tmp_path / ".env"
    example = (ROOT / ".env.example").read_text().replace("SIM_RPS=10", "SIM_RPS=25")
    env_file.write_text(example + "SESSION_SECRET_NOTE=unrelated")  # no newline at the end
    env_file.chmod(0o644)
    assert _generate(scripts, env_file).returncode == 0
    values = _values(env_file)
    assert all(values[name] for name in KEY_NAMES) and values["SIM_RPS"] == "25"
    assert values["SESSION_SECRET_NOTE"] == "unrelated"
    text = env_file.read_text()
    assert all(text.count(f"\n{name}=") == 1 for name in KEY_NAMES)  # filled, not appended twice
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600  # it holds keys now


def test_a_key_already_set_is_never_replaced(scripts, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("ADMIN_API_KEYS=my-admin-key\nSIM_API_KEY=my-sim-key\n")
    # A variable set in the environment wins over the file, so none is written for it.
    assert _generate(scripts, env_file, PREDICT_API_KEYS="predict-from-env").returncode == 0
    values = _values(env_file)
    assert values["ADMIN_API_KEYS"] == "my-admin-key" and values["SIM_API_KEY"] == "my-sim-key"
    assert "PREDICT_API_KEYS" not in values and values["SESSION_SECRET"].startswith("dws_")


@pytest.mark.parametrize(
    ("settings", "expected", "says"),
    [
        ({}, "p1", False),
        ({"SIM_AUTO_DRIFT": "1"}, "a1", True),
        ({"SIM_AUTO_DRIFT": "true"}, "a1", True),
        ({"SIM_SCENARIO": "sudden"}, "a1", True),
        ({"SIM_SCENARIO": "none", "SIM_AUTO_DRIFT": "0"}, "p1", False),
        ({"SIM_AUTO_DRIFT": "1", "SIM_API_KEY": "p2"}, "a1", True),  # a predict key is not enough
        ({"SIM_AUTO_DRIFT": "1", "SIM_API_KEY": "own"}, "own", False),  # the operator's own choice
    ],
)
def test_the_simulator_gets_the_admin_key_only_to_switch_scenarios(scripts, settings, expected, says):
    env = _env(PREDICT_API_KEYS="p1,p2", ADMIN_API_KEYS="a1, a2", **settings)
    script = (
        "source scripts/lib/common.sh; source scripts/lib/keys.sh; export_simulator_key; "
        'printf "key=%s\\n" "$SIM_API_KEY"; bash -c \'echo "child=$SIM_API_KEY"\''
    )
    result = _bash(scripts, script, env)
    assert result.returncode == 0, result.stderr
    assert f"key={expected}\nchild={expected}" in result.stdout  # exported to what setup starts
    assert ("handing it the admin key for this start" in result.stdout) is says


def test_a_malformed_settings_file_fails_naming_the_file_and_line(scripts, tmp_path):
    env_file = tmp_path / "bad.env"
    env_file.write_text("# a comment\nSIM_RPS=10\nthis line has no equals sign\n")
    result = _bash(scripts, "source scripts/lib/common.sh; load_env_file; echo loaded", _env(ENV_FILE=str(env_file)))
    assert result.returncode != 0 and "loaded" not in result.stdout
    assert f"{env_file} line 3: expected NAME=value" in result.stderr


def test_env_file_is_the_settings_file_of_every_script(scripts, tmp_path):
    env_file = tmp_path / "custom.env"
    env_file.write_text("RUN_DIR=elsewhere\nSIM_RPS=42\n")
    result = _bash(
        scripts,
        'source scripts/lib/common.sh; load_env_file; echo "$ENV_FILE $RUN_DIR ${SIM_RPS:-unset}"',
        _env(ENV_FILE="custom.env"),
    )  # relative: from the current folder
    assert result.returncode == 0, result.stderr
    # cwd is the project copy; ENV_FILE relative to it does not exist there: nothing loaded.
    assert result.stdout.split() == [str(scripts / "custom.env"), str(scripts / ".run"), "unset"]
    result = _bash(
        scripts,
        'source scripts/lib/common.sh; load_env_file; echo "$ENV_FILE $RUN_DIR ${SIM_RPS:-unset}"',
        _env(ENV_FILE=str(env_file)),
    )
    assert result.stdout.split() == [str(env_file), str(scripts / "elsewhere"), "42"]
    for script in ("setup.sh", "stop.sh", "train_model.sh"):
        text = (ROOT / "scripts" / script).read_text()
        assert "load_env_file" in text and "$ROOT/.env" not in text, script


# --- train_model.sh in Docker mode -------------------------------------------

FAKE_DOCKER = """#!/usr/bin/env bash
# Stands in for the Docker CLI (no engine runs here): records each call, answers like one.
printf '%s|%s\\n' "$PWD" "$*" >> "$DOCKER_LOG"
case "$*" in
  info|"compose version") exit 0 ;;
  *" ps -q backend") [ -n "${FAKE_BACKEND_RUNNING:-}" ] && echo 3f2a1b ;;
  *"-m app.demo "*"--stage none") echo "registered fraud version 20990101-000000-abcdef12 (none): ROC-AUC 0.900" ;;
esac
exit 0
"""


@pytest.fixture
def fake_docker(tmp_path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    return _env(
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        DOCKER_LOG=str(tmp_path / "docker.log"),
        RUN_DIR=str(run_dir),
        ENV_FILE=str(tmp_path / "absent.env"),
    )


def _calls(env: dict[str, str]) -> list[tuple[str, str]]:
    log = Path(env["DOCKER_LOG"])
    return [tuple(line.split("|", 1)) for line in log.read_text().splitlines()] if log.exists() else []


def _train(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / "train_model.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # local mode trains (about 10 s, more on a busy machine) unless the files are cached
        check=False,
    )


RUN = "compose run --rm --no-deps --entrypoint python backend -m app.demo --rows 2000 --stage champion"


def test_in_docker_mode_a_one_off_backend_container_trains_and_registers_it(fake_docker):
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train(fake_docker, "--rows", "2000")
    assert result.returncode == 0, result.stderr
    # From the project's folder, where the compose file is; past the entrypoint (it registers only a missing model).
    assert (str(ROOT), RUN) in _calls(fake_docker)
    assert "switches to it within ROUTING_POLL_S, no restart" in result.stdout


def test_the_stage_and_seed_reach_the_registration_and_say_what_comes_next(fake_docker):
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train(fake_docker, "--stage", "shadow", "--seed", "9")
    assert result.returncode == 0, result.stderr
    run = "compose run --rm --no-deps --entrypoint python backend -m app.demo --seed 9 --stage shadow"
    assert (str(ROOT), run) in _calls(fake_docker)
    assert "scored in shadow beside the champion" in result.stdout


def test_a_version_registered_without_a_stage_is_named_in_how_to_promote_it(fake_docker):
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train(fake_docker, "--stage", "none")
    assert result.returncode == 0, result.stderr
    assert "registered fraud version 20990101-000000-abcdef12 (none)" in result.stdout  # app.demo's answer, shown
    assert "POST /api/v1/models/fraud/versions/20990101-000000-abcdef12/promote" in result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--stage", "canary"], "--stage is champion, shadow or none, not 'canary'"),
        (["--stage"], "--stage needs a value"),
        (["--rows"], "--rows needs a value"),
        (["--model-dir", "/models"], "unknown option: --model-dir"),
    ],
)
def test_a_bad_argument_is_refused_before_anything_runs(fake_docker, args, says):
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train(fake_docker, *args)
    assert result.returncode != 0 and says in result.stderr
    assert _calls(fake_docker) == []


def test_the_settings_file_goes_to_compose_too(fake_docker, tmp_path):
    env_file = tmp_path / "my.env"
    env_file.write_text("SIM_RPS=5\n")
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train({**fake_docker, "ENV_FILE": str(env_file)}, "--rows", "2000")
    assert result.returncode == 0, result.stderr
    assert (str(ROOT), RUN.replace("compose ", f"compose --env-file {env_file} ", 1)) in _calls(fake_docker)


def test_a_stack_compose_runs_is_found_without_setup_having_said_so(fake_docker):
    result = _train({**fake_docker, "FAKE_BACKEND_RUNNING": "1"}, "--rows", "2000")
    assert result.returncode == 0, result.stderr
    assert (str(ROOT), RUN) in _calls(fake_docker)


def test_without_an_engine_it_prints_the_command_to_run(fake_docker, tmp_path):
    docker = Path(fake_docker["PATH"].split(":", 1)[0]) / "docker"
    docker.write_text('#!/usr/bin/env bash\nprintf "%s|%s\\n" "$PWD" "$*" >> "$DOCKER_LOG"\nexit 1\n')
    Path(fake_docker["RUN_DIR"], "mode").write_text("docker\n")
    result = _train(fake_docker, "--rows", "2000")
    assert result.returncode != 0
    assert "no Docker engine answers" in result.stderr and f"docker {RUN}" in result.stderr
    assert all(args == "info" for _, args in _calls(fake_docker))  # nothing was run


# --- train_model.sh in local mode, for real ------------------------------------


def _registered(database: Path) -> tuple[RegisteredModel, list[str]]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            model = conn.execute(select(RegisteredModel).where(RegisteredModel.name == "fraud")).one()
            versions = conn.scalars(
                select(ModelVersion.version).where(ModelVersion.model_name == "fraud").order_by(ModelVersion.version)
            ).all()
        return model, list(versions)
    finally:
        engine.dispose()


def test_locally_it_registers_a_new_demo_version_in_the_stacks_database(tmp_path):
    """Into the SQLite file setup.sh would use (RUN_DIR). The model's first version answers whatever
    --stage asks, and the script says so; a second run with --stage shadow adds a challenger beside
    the champion. The trained files come from the tests' cache (DEMO_CACHE_DIR)."""
    demo_files()  # the tests' cache holds the demo model's trained files from here on
    run_dir = tmp_path / "run"
    env = _env(
        RUN_DIR=str(run_dir),
        ENV_FILE=str(tmp_path / "absent.env"),
        VENV=str(Path(sys.executable).parent.parent),
        DEMO_CACHE_DIR=str(cache_dir()),
    )
    first = _train(env, "--stage", "none")
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert f"registering it in the SQLite file {run_dir}/driftwatch.db" in first.stdout
    champion = re.search(r"registered fraud version (\S+) \(champion\): ROC-AUC 0\.\d+", first.stdout)
    assert champion, first.stdout
    assert "its first one answers requests, whatever --stage asks" in first.stdout
    assert "switches to it within ROUTING_POLL_S" in first.stdout

    second = _train(env, "--stage", "shadow")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    shadow = re.search(r"registered fraud version (\S+) \(shadow\)", second.stdout)
    assert shadow, second.stdout
    model, versions = _registered(run_dir / "driftwatch.db")
    assert versions == sorted([champion.group(1), shadow.group(1)])
    assert model.champion_version == champion.group(1)
    assert (model.challenger_version, model.challenger_mode) == (shadow.group(1), "shadow")
