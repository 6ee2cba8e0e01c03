# The first run's secrets, written once into the settings file (sourced by setup.sh).
#
#   ensure_keys FILE   fill in ADMIN_API_KEYS, PREDICT_API_KEYS, SESSION_SECRET and
#                      SIM_API_KEY (the predict key) where FILE lacks them or leaves
#                      them empty and the environment does not set them. A value is
#                      never changed. FILE is created with mode 600 and made 600
#                      when keys go in.
#   export_simulator_key   SIM_API_KEY for this start: the predict key, or the admin
#                      key when SIM_AUTO_DRIFT or SIM_SCENARIO make it switch scenarios.
#
# Alone, without starting anything: bash scripts/lib/keys.sh [FILE] (default: ENV_FILE or .env).
# Keys are 32 random bytes (43 URL-safe characters) behind a prefix that says what
# they are: dwa_ admin, dwp_ predict, dws_ session secret.

KEY_NAMES=(ADMIN_API_KEYS PREDICT_API_KEYS SESSION_SECRET SIM_API_KEY)

random_token() {
  local token
  if command -v python3 >/dev/null 2>&1; then
    token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  elif command -v openssl >/dev/null 2>&1; then
    token="$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"
  else
    die "python3 or openssl is needed to generate the API keys"
  fi
  [ "${#token}" -ge 43 ] || die "could not generate a random key"
  printf '%s\n' "$token"
}

# file_value FILE NAME: the value of NAME's first line in FILE, as load_env_file reads it.
file_value() {
  local line
  [ -f "$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    case "$line" in "$2="*) printf '%s\n' "${line#*=}"; return 0 ;; esac
  done < "$1"
}

# set_file_value FILE NAME VALUE: fill NAME's empty line (as copied from .env.example)
# in place, or append NAME=VALUE.
set_file_value() {
  local file="$1" name="$2" value="$3" content
  if grep -q "^$name=\$" "$file"; then
    content="$(awk -v line="$name=$value" -v empty="$name=" \
      '!done && $0 == empty { print line; done = 1; next } { print }' "$file")"
    printf '%s\n' "$content" > "$file"
  else
    if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then echo >> "$file"; fi
    printf '%s=%s\n' "$name" "$value" >> "$file"
  fi
}

ensure_keys() {
  local file="$1" name value written=()
  if [ ! -e "$file" ]; then
    (umask 077 && : > "$file") || die "cannot create $file (ENV_FILE)"
  fi
  for name in "${KEY_NAMES[@]}"; do
    [ -z "$(file_value "$file" "$name")" ] || continue  # never overwrite
    [ -z "${!name:-}" ] || continue  # set by the environment, which wins over the file
    case "$name" in
      ADMIN_API_KEYS) value="dwa_$(random_token)" ;;
      PREDICT_API_KEYS) value="dwp_$(random_token)" ;;
      SESSION_SECRET) value="dws_$(random_token)" ;;
      SIM_API_KEY)
        value="$(file_value "$file" PREDICT_API_KEYS)"
        value="${value%%,*}"
        [ -n "$value" ] || continue ;;
    esac
    set_file_value "$file" "$name" "$value"
    written+=("$name")
  done
  if [ "${#written[@]}" -gt 0 ]; then
    chmod 600 "$file" || die "cannot make $file private (chmod 600)"
    say "generated ${written[*]} in $file (mode 600; kept on later runs)"
    say "API keys are in $file: sign in to the dashboard with ADMIN_API_KEYS"
  fi
}

# first_key "a,b": the first key of a comma-separated list.
first_key() {
  local keys="${1// /}"
  printf '%s\n' "${keys%%,*}"
}

# The simulator's key: the predict key, or the admin key when it must switch scenarios
# (a key of the operator's own choosing in SIM_API_KEY is left alone).
export_simulator_key() {
  export SIM_API_KEY="${SIM_API_KEY:-$(first_key "${PREDICT_API_KEYS:-}")}"
  local drift
  drift="$(printf '%s' "${SIM_AUTO_DRIFT:-0}" | tr '[:upper:]' '[:lower:]')"
  case "$drift" in 1|true|yes|on|y|t) ;; *) [ "${SIM_SCENARIO:-none}" != none ] || return 0 ;; esac
  if [ -n "$SIM_API_KEY" ] && [[ ",${PREDICT_API_KEYS// /}," != *",$SIM_API_KEY,"* ]]; then
    return 0
  fi
  [ -n "${ADMIN_API_KEYS:-}" ] || { warn "switching scenarios (SIM_AUTO_DRIFT, SIM_SCENARIO) needs an admin key; ADMIN_API_KEYS is empty"; return 0; }
  SIM_API_KEY="$(first_key "$ADMIN_API_KEYS")"
  say "the simulator switches scenarios (SIM_AUTO_DRIFT=${SIM_AUTO_DRIFT:-0}, SIM_SCENARIO=${SIM_SCENARIO:-none}): handing it the admin key for this start"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
  if [ "$#" -gt 0 ]; then ENV_FILE="$1"; fi
  ensure_keys "$(env_file_path)"
fi
