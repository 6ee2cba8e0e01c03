#!/usr/bin/env bash
# Start the whole Driftwatch stack: dashboard :3000, API :8000, monitoring worker,
# traffic simulator, and a database.
#
#   ./scripts/setup.sh            Docker Compose when a Docker engine runs, else local processes
#   ./scripts/setup.sh --docker   Docker Compose (fails without an engine)
#   ./scripts/setup.sh --local    local processes: a virtual environment, PostgreSQL when
#                                 DATABASE_URL names one, otherwise an SQLite file
#   ./scripts/setup.sh --demo     (with either) demo timings: 50 req/s, labels after 10 s,
#                                 cycles every 10 s over 2-minute windows, the retrain policy on
#
# Settings come from the environment or ENV_FILE (default ./.env, see .env.example).
# The first run writes API keys and a session secret into it (mode 600), never
# overwriting one, and registers the demo model (fraud) like any upload: trained
# and registered when the database has none (python -m app.demo --if-missing, about
# 10 s; in Docker the backend's entrypoint does it). Local mode keeps logs and pid
# files in RUN_DIR (default .run/); ./scripts/stop.sh stops the stack. Running it
# again starts only what is not running already.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$ROOT/scripts/lib/keys.sh"

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

mode=auto
demo=0
for arg in "$@"; do
  case "$arg" in
    --local) mode=local ;;
    --docker) mode=docker ;;
    --demo) demo=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $arg" ;;
  esac
done

# Demo timings, so the whole loop (drift, alert, retrain, shadow, promote) fits in about
# ten minutes; they win over the env file, a variable set in the environment wins over them.
demo_defaults() {
  local pair
  for pair in SIM_RPS=50 SIM_LABEL_DELAY_S=10 WORKER_INTERVAL_S=10 WORKER_WINDOW_MINUTES=2 \
    WORKER_LABEL_WINDOW_MINUTES=2 RETRAIN_POLICY=1 RETRAIN_AFTER_CYCLES=4 RETRAIN_WINDOW_MINUTES=1 \
    RETRAIN_COOLDOWN_MINUTES=5; do
    [ -n "$(printenv "${pair%%=*}")" ] || export "$pair"
  done
}
[ "$demo" = 1 ] && demo_defaults

ensure_keys "$(env_file_path)"
load_env_file
export BACKEND_PORT="${BACKEND_PORT:-8000}"
export FRONTEND_PORT="${FRONTEND_PORT:-3000}"
BACKEND_URL_LOCAL="http://127.0.0.1:$BACKEND_PORT"
FRONTEND_URL="http://localhost:$FRONTEND_PORT"
# The dashboard's own origins may act with a session (the backend checks Origin).
export CORS_ORIGINS="${CORS_ORIGINS:-$FRONTEND_URL,http://127.0.0.1:$FRONTEND_PORT}"

print_urls() {
  local keys="ADMIN_API_KEYS in $ENV_FILE"
  [ -n "$(file_value "$ENV_FILE" ADMIN_API_KEYS)" ] || keys="ADMIN_API_KEYS (set in the environment)"
  cat <<MSG

Driftwatch is running.
  Dashboard     $FRONTEND_URL
  API docs      http://localhost:$BACKEND_PORT/docs
  Live stats    http://localhost:$BACKEND_PORT/api/v1/stats
  Sign in with  the admin key: $keys
  Stop it with  ./scripts/stop.sh
MSG
}

start_docker() {
  local compose host
  compose="$(compose_command)" || die "no Docker engine answers; run ./scripts/setup.sh --local"
  # The published ports listen on BIND_ADDRESS: probe them there.
  case "${BIND_ADDRESS:-127.0.0.1}" in
    0.0.0.0|::|127.*|localhost) host=127.0.0.1 ;;
    *:*) host="[$BIND_ADDRESS]" ;;
    *) host="$BIND_ADDRESS" ;;
  esac
  case "${BIND_ADDRESS:-127.0.0.1}" in 127.*|localhost) ;; *)
    warn "BIND_ADDRESS=$BIND_ADDRESS publishes the dashboard and API beyond this machine; the API answers only the host names in ALLOWED_HOSTS" ;;
  esac
  export_simulator_key
  say "starting the stack with $compose (the first build takes a few minutes; the backend's first start registers the demo model)"
  run_compose "$compose" up -d --build
  mkdir -p "$RUN_DIR" && echo docker > "$RUN_DIR/mode"
  say "waiting for the API and the dashboard"
  wait_http "http://$host:$BACKEND_PORT/api/v1/ready" 300 || die "the backend is not ready: $compose logs backend"
  wait_http "http://$host:$FRONTEND_PORT/" 120 || die "the dashboard does not answer: $compose logs frontend"
  print_urls
}

# start NAME DIR COMMAND...: one process in its own session, logged and pid-filed.
start() {
  local name="$1" dir="$2"
  shift 2
  local pidfile="$RUN_DIR/$name.pid"
  if pid_alive "$pidfile"; then
    say "$name already running (pid $(cat "$pidfile"))"
    return 0
  fi
  say "starting $name (log: ${RUN_DIR#"$ROOT/"}/$name.log)"
  (cd "$dir" && exec setsid "$@" >>"$RUN_DIR/$name.log" 2>&1 </dev/null) &
  echo $! > "$pidfile"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_port() {
  local name="$1" port="$2"
  pid_alive "$RUN_DIR/$name.pid" && return 0
  port_free "$port" || die "port $port is in use; stop what uses it or set ${3}=<another port>"
}

build_frontend() {
  command -v npm >/dev/null || die "Node.js 20+ with npm is needed for the dashboard"
  local fe="$ROOT/frontend"
  if [ ! -d "$fe/node_modules" ] || [ "$fe/package-lock.json" -nt "$fe/node_modules/.package-lock.json" ]; then
    say "installing the dashboard's packages (npm ci, about a minute the first time)"
    (cd "$fe" && npm ci --no-audit --no-fund --loglevel=error) >"$RUN_DIR/npm-ci.log" 2>&1 \
      || { tail -n 30 "$RUN_DIR/npm-ci.log" >&2; die "npm ci failed"; }
  fi
  if [ ! -f "$fe/dist/index.html" ] || [ -n "$(find "$fe/src" "$fe/index.html" "$fe/vite.config.js" "$fe/package-lock.json" -newer "$fe/dist/index.html" -print -quit)" ]; then
    say "building the dashboard (log: ${RUN_DIR#"$ROOT/"}/frontend-build.log)"
    (cd "$fe" && npm run build) >"$RUN_DIR/frontend-build.log" 2>&1 \
      || { tail -n 30 "$RUN_DIR/frontend-build.log" >&2; die "the dashboard did not build"; }
  fi
}

# The demo model, registered like any upload when the database has none: python -m app.demo
# waits for the database, migrates it, trains the model (DEMO_CACHE_DIR, when set, keeps and
# reuses the trained files) and registers it. Its answer is printed, its log kept in RUN_DIR.
register_demo() {
  local log="$RUN_DIR/demo.log" said
  say "the demo model: registered now unless it is already (about 10 s the first time; log: ${log#"$ROOT/"})"
  said="$(cd "$ROOT/backend" && "$VENV/bin/python" -m app.demo --if-missing 2>>"$log")" || {
    printf '%s\n' "$said" >>"$log"
    tail -n 20 "$log" >&2
    die "the demo model could not be registered (see $log)"
  }
  printf '%s\n' "$said" >>"$log"
  say "$said"
}

start_local() {
  mkdir -p "$RUN_DIR" && echo local > "$RUN_DIR/mode"
  source "$ROOT/scripts/lib/python-env.sh"
  require_port backend "$BACKEND_PORT" BACKEND_PORT
  require_port frontend "$FRONTEND_PORT" FRONTEND_PORT
  ensure_python_env

  DATABASE_URL="$(local_database_url)"
  export DATABASE_URL
  export BACKEND_URL="${BACKEND_URL:-$BACKEND_URL_LOCAL}"
  export DRIFTWATCH_API_URL="$BACKEND_URL_LOCAL"
  case "$DATABASE_URL" in sqlite*) say "database: $(database_label "$DATABASE_URL") (set DATABASE_URL for PostgreSQL)" ;;
    *) say "database: $(database_label "$DATABASE_URL")" ;; esac
  register_demo

  # BACKEND_WORKERS unset: two server processes with PostgreSQL, one with SQLite (app.serve).
  export BACKEND_HOST="${BACKEND_HOST:-127.0.0.1}"
  start backend "$ROOT/backend" "$VENV/bin/python" -m app.serve
  wait_http "$BACKEND_URL_LOCAL/api/v1/ready" 120 "$RUN_DIR/backend.log" || die "the backend is not ready (see $RUN_DIR/backend.log)"
  start worker "$ROOT/monitoring-worker" "$VENV/bin/python" -m worker
  pid_alive "$RUN_DIR/simulator.pid" || export_simulator_key
  start simulator "$ROOT/traffic-simulator" "$VENV/bin/python" -m simulator

  build_frontend
  start frontend "$ROOT/frontend" \
    "$ROOT/frontend/node_modules/.bin/vite" preview --port "$FRONTEND_PORT" --strictPort
  wait_http "http://127.0.0.1:$FRONTEND_PORT/" 60 "$RUN_DIR/frontend.log" || die "the dashboard does not answer (see $RUN_DIR/frontend.log)"
  for name in worker simulator; do
    pid_alive "$RUN_DIR/$name.pid" || die "$name exited at start (see $RUN_DIR/$name.log)"
  done
  print_urls
}

case "$mode" in
  docker) start_docker ;;
  local) start_local ;;
  auto)
    if compose_command >/dev/null; then start_docker
    else say "no Docker engine found: starting local processes"; start_local; fi ;;
esac
