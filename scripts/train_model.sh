#!/usr/bin/env bash
# Train the fraud model and write a new versioned artifact folder (served as LATEST).
#
#   ./scripts/train_model.sh [--rows N] [--seed S] [--model-dir DIR]
#
# MODEL_DIR (default backend/artifacts) is where artifacts go. A running backend
# serves the new version after a restart.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/python-env.sh"
load_env_file
ensure_python_env
cd "$ROOT/backend"
exec "$VENV/bin/python" -m app.ml.train "$@"
