#!/usr/bin/env bash
# Train the fraud model and write a new versioned artifact folder (served as LATEST).
#
#   ./scripts/train_model.sh [--rows N] [--seed S] [--model-dir DIR]
#
# Local mode: into MODEL_DIR (default backend/artifacts). When the stack runs in
# Docker (setup.sh started it so, or Compose runs its backend): into the models
# volume the backend reads (/models), in a one-off backend container. A running
# backend serves the new version after a restart.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
load_env_file

# The stack's mode: what setup.sh recorded, else Docker when Compose runs a backend.
stack_mode() {
  local mode compose
  mode="$(cat "$RUN_DIR/mode" 2>/dev/null || true)"
  if [ -z "$mode" ] && compose="$(compose_command)" \
      && [ -n "$(run_compose "$compose" ps -q backend 2>/dev/null)" ]; then
    mode=docker
  fi
  printf '%s\n' "${mode:-local}"
}

if [ "$(stack_mode)" = docker ]; then
  # The image's entrypoint would train a first model itself: call python directly.
  train=(run --rm --no-deps --entrypoint python backend -m app.ml.train --model-dir /models "$@")
  if ! compose="$(compose_command)"; then
    hint="docker compose"
    [ -f "$ENV_FILE" ] && hint="$hint --env-file $ENV_FILE"
    die "the stack runs in Docker but no Docker engine answers; once one does, run in $ROOT: $hint ${train[*]}"
  fi
  say "training in a one-off backend container into the models volume (/models)"
  run_compose "$compose" "${train[@]}"
  say "the backend serves the new version after: $compose restart backend"
  exit 0
fi

source "$ROOT/scripts/lib/python-env.sh"
ensure_python_env
cd "$ROOT/backend"
exec "$VENV/bin/python" -m app.ml.train "$@"
