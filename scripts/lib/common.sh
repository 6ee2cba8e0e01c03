# Sourced by the operator scripts: paths, logging and the project's .env.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

say() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The settings file: ENV_FILE (a relative path is taken from the current folder),
# else .env in the project's root.
env_file_path() {
  local file="${ENV_FILE:-$ROOT/.env}"
  case "$file" in /*) ;; *) file="$PWD/${file#./}" ;; esac
  printf '%s\n' "$file"
}

# Settings from ENV_FILE (see .env.example); variables already set win.
# Relative RUN_DIR and DEMO_CACHE_DIR are taken from the project's root.
load_env_file() {
  local line key n=0
  ENV_FILE="$(env_file_path)"
  export ENV_FILE
  if [ -f "$ENV_FILE" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      n=$((n + 1))
      line="${line%$'\r'}"
      case "$line" in ''|'#'*) continue ;; esac
      key="${line%%=*}"
      [[ "$line" == *=* && "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] \
        || die "$ENV_FILE line $n: expected NAME=value (comments start with #)"
      [ -n "${!key+x}" ] || export "$line"
    done < "$ENV_FILE"
  fi
  RUN_DIR="${RUN_DIR:-$ROOT/.run}"
  case "$RUN_DIR" in /*) ;; *) RUN_DIR="$ROOT/$RUN_DIR" ;; esac
  if [ -n "${DEMO_CACHE_DIR:-}" ]; then
    case "$DEMO_CACHE_DIR" in /*) ;; *) DEMO_CACHE_DIR="$ROOT/$DEMO_CACHE_DIR" ;; esac
    export DEMO_CACHE_DIR
  fi
  return 0
}

# Local mode's database: DATABASE_URL, else an SQLite file in RUN_DIR (after load_env_file).
local_database_url() { printf '%s\n' "${DATABASE_URL:-sqlite:///$RUN_DIR/driftwatch.db}"; }

# database_label URL: what a message calls the database (never its password).
database_label() {
  case "$1" in
    sqlite*) printf 'the SQLite file %s\n' "${1#sqlite:///}" ;;
    *@*) printf '%s at %s\n' "${1%%://*}" "${1##*@}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# Docker Compose v2 plugin or the standalone v1 binary, when an engine answers.
compose_command() {
  docker info >/dev/null 2>&1 || return 1
  if docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    return 1
  fi
}

# run_compose COMPOSE ARGS...: Compose on the project, reading ENV_FILE as its .env
# (exported variables win over it, as in load_env_file).
run_compose() {
  local compose="$1"
  shift
  if [ -f "$ENV_FILE" ]; then
    (cd "$ROOT" && $compose --env-file "$ENV_FILE" "$@")
  else
    (cd "$ROOT" && $compose "$@")
  fi
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_http URL SECONDS [LOGFILE]: until URL answers 2xx; show the log's tail on failure.
wait_http() {
  local url="$1" timeout="$2" log="${3:-}" waited=0
  until curl -fs -o /dev/null --max-time 2 "$url"; do
    if [ "$waited" -ge "$timeout" ]; then
      warn "$url did not answer within ${timeout}s"
      [ -n "$log" ] && [ -f "$log" ] && tail -n 20 "$log" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
