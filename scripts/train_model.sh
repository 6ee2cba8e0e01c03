#!/usr/bin/env bash
# Train a new version of the demo model (fraud) and register it, as an upload is registered.
#
#   ./scripts/train_model.sh [--rows N] [--seed S] [--stage champion|shadow|none]
#
# --rows transactions of the seeded generator (default 50000), --seed (default 42).
# --stage (default champion): a champion answers requests at once (a running backend
# switches to it within ROUTING_POLL_S, no restart); a shadow is scored beside the
# champion on its traffic; none waits to be promoted. Local mode: into the database
# setup.sh uses (DATABASE_URL, else the SQLite file in RUN_DIR). When the stack runs in
# Docker (setup.sh started it so, or Compose runs its backend): in a one-off backend
# container, into the stack's database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

demo=()
stage=champion
while [ "$#" -gt 0 ]; do
  case "$1" in
    --rows|--seed)
      [ "$#" -ge 2 ] || die "$1 needs a value"
      demo+=("$1" "$2")
      shift 2 ;;
    --stage)
      [ "$#" -ge 2 ] || die "--stage needs a value: champion, shadow or none"
      stage="$2"
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
case "$stage" in champion|shadow|none) ;; *) die "--stage is champion, shadow or none, not '$stage'" ;; esac
demo+=(--stage "$stage")
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

# What the new version does next, by the stage it took: app.demo prints it (into $said), and a
# model's first version becomes its champion whatever --stage asked.
said="$(mktemp)"
trap 'rm -f "$said"' EXIT
next_step() {
  local version became
  version="$(sed -n 's/^registered fraud version \([^ ]*\) (.*/\1/p' "$said" | tail -n 1)"
  became="$(sed -n 's/^registered fraud version [^ ]* (\([a-z]*\)).*/\1/p' "$said" | tail -n 1)"
  became="${became:-$stage}"
  [ "$became" = "$stage" ] || say "the model had no version yet: its first one answers requests, whatever --stage asks"
  case "$became" in
    champion) say "it answers requests now: a running backend switches to it within ROUTING_POLL_S, no restart" ;;
    shadow) say "it is scored in shadow beside the champion; compare and promote it in the dashboard's Models view" ;;
    none) say "it waits: promote it in the dashboard's Models view (or POST /api/v1/models/fraud/versions/${version:-VERSION}/promote)" ;;
  esac
}

if [ "$(stack_mode)" = docker ]; then
  # The image's entrypoint registers the demo model only when it is missing: call python directly.
  register=(run --rm --no-deps --entrypoint python backend -m app.demo "${demo[@]}")
  if ! compose="$(compose_command)"; then
    hint="docker compose"
    [ -f "$ENV_FILE" ] && hint="$hint --env-file $ENV_FILE"
    die "the stack runs in Docker but no Docker engine answers; once one does, run in $ROOT: $hint ${register[*]}"
  fi
  say "training in a one-off backend container and registering it in the stack's database"
  run_compose "$compose" "${register[@]}" | tee "$said"
  next_step
  exit 0
fi

source "$ROOT/scripts/lib/python-env.sh"
ensure_python_env
DATABASE_URL="$(local_database_url)"
export DATABASE_URL
mkdir -p "$RUN_DIR"
say "training (about 10 s for 50,000 rows) and registering it in $(database_label "$DATABASE_URL")"
(cd "$ROOT/backend" && "$VENV/bin/python" -m app.demo "${demo[@]}") | tee "$said"
next_step
