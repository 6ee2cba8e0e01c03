# Sourced by the scripts: create or reuse the virtual environment and install into it
# every service's requirements, the shared packages and the services' own code (all
# editable, so an edit is live without reinstalling), reinstalling only when a
# requirements file, constraints.txt or a pyproject.toml changes.

# The projects installed editable: the shared core, the test helpers, the three services.
PYTHON_PROJECTS=(backend/packages/driftwatch-core backend/packages/driftwatch-testing
  backend monitoring-worker traffic-simulator)

ensure_python_env() {
  VENV="${VENV:-$ROOT/.venv}"
  local python="${PYTHON:-python3}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in $VENV"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  local inputs=(constraints.txt backend/requirements.txt backend/requirements-dev.txt
    monitoring-worker/requirements.txt traffic-simulator/requirements.txt)
  local project args=()
  for project in "${PYTHON_PROJECTS[@]}"; do
    inputs+=("$project/pyproject.toml")
    args+=(-e "./$project")
  done
  local stamp="$VENV/.driftwatch-requirements"
  local digest
  digest="$(cd "$ROOT" && cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "==> installing Python requirements (backend/requirements-dev.txt and the projects ${PYTHON_PROJECTS[*]})"
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      -c constraints.txt "${args[@]}" -r backend/requirements-dev.txt)
    echo "$digest" > "$stamp"
  fi
}
