# Sourced by the scripts: create or reuse the virtual environment and install
# every service's requirements into it, reinstalling only when they change.

ensure_python_env() {
  VENV="${VENV:-$ROOT/.venv}"
  local python="${PYTHON:-python3}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in $VENV"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  local reqs=()
  for f in backend/requirements-dev.txt monitoring-worker/requirements.txt traffic-simulator/requirements.txt; do
    [ -f "$ROOT/$f" ] && reqs+=("$ROOT/$f")
  done
  local stamp="$VENV/.driftwatch-requirements"
  local digest
  digest="$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "==> installing Python requirements (${reqs[*]#"$ROOT/"})"
    local args=()
    for f in "${reqs[@]}"; do args+=(-r "$f"); done
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}"
    echo "$digest" > "$stamp"
  fi
}
