#!/usr/bin/env bash
# Stop the stack that ./scripts/setup.sh started (same RUN_DIR and ENV_FILE): the local
# processes by their pid files, or the Compose services.
#
#   ./scripts/stop.sh           stop whatever setup.sh started
#   ./scripts/stop.sh --volumes  Compose mode: also delete the database volume (its models too)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
load_env_file

volumes=()
for arg in "$@"; do
  case "$arg" in
    --volumes) volumes=(--volumes) ;;
    -h|--help) sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg" ;;
  esac
done

if [ "$(cat "$RUN_DIR/mode" 2>/dev/null)" = docker ]; then
  compose="$(compose_command)" || die "no Docker engine answers"
  run_compose "$compose" down ${volumes[@]+"${volumes[@]}"}
  rm -f "$RUN_DIR/mode"
  exit 0
fi

# Each service runs in its own session (setsid): signal the whole group.
stop_one() {
  local pidfile="$1" name pid waited=0
  name="$(basename "$pidfile" .pid)"
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name did not stop within 10 s: killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

shopt -s nullglob
pidfiles=("$RUN_DIR"/*.pid)
[ "${#pidfiles[@]}" -gt 0 ] || { say "nothing is running (no pid files in $RUN_DIR)"; exit 0; }
# Traffic first, the API last, so nothing writes to a stopped backend.
for name in simulator frontend worker backend; do
  [ -f "$RUN_DIR/$name.pid" ] && stop_one "$RUN_DIR/$name.pid"
done
for pidfile in "$RUN_DIR"/*.pid; do stop_one "$pidfile"; done
rm -f "$RUN_DIR/mode"
say "stopped"
