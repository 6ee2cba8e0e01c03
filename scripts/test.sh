#!/usr/bin/env bash
# Install everything the tests need from the project's own files and run the tests.
#
#   ./scripts/test.sh                 every tier: linters, then all suites (Python, frontend unit, end-to-end)
#   ./scripts/test.sh --fast          the fast tier: linters and layer contracts, the frontend's unit tests,
#                                     and the Python tests that run in-process (-m "not slow and not e2e")
#   ./scripts/test.sh PYTEST_ARGS...  only the Python tests, with these pytest arguments
#                                     (e.g. -m slow, -m e2e frontend/e2e, backend/tests/api -k alias)
#
# A test that starts a process or a server, or sleeps, is marked slow; one that drives a browser e2e
# (driftwatch_testing.tiers refuses them otherwise).
#
# Environment:
#   TEST_DATABASE_URL  PostgreSQL to create throw-away test databases in
#                      (default postgresql://postgres@127.0.0.1:5432/test);
#                      without one the tests run on SQLite and say so
#   REQUIRE_POSTGRES=1 fail instead of falling back to SQLite (CI sets it)
#   REQUIRE_BROWSER=1  fail instead of skipping browser tests (CI sets it)
#   VENV               virtual environment to create or reuse (default .venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/lib/python-env.sh"
ensure_python_env

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}"
export PYTHONDONTWRITEBYTECODE=1

PYTEST=("$VENV/bin/python" -m pytest -c backend/pytest.ini --rootdir "$ROOT")
fast=0
if [ "${1:-}" = "--fast" ]; then
  fast=1
  shift
fi
if [ "$#" -gt 0 ]; then
  exec "${PYTEST[@]}" "$@"
fi

status=0
started=$SECONDS
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
jobs_started=()

# background NAME COMMAND...: run a suite beside the others (two cores: the Python suites keep one
# busy, the browser walks mostly wait on the stack's clocks); its output is printed when it ends.
background() {
  local name="$1"
  shift
  ("$@") >"$logs/$name.log" 2>&1 &
  echo "$!" >"$logs/$name.pid"
  jobs_started+=("$name")
  echo "==> $name: started beside the rest (its output follows when it ends)"
}

if [ -f frontend/package.json ]; then
  # The fast tier installs only when package-lock.json changed since the last install.
  if [ "$fast" = 0 ] || [ ! -f frontend/node_modules/.package-lock.json ] \
    || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
    echo "==> frontend: npm ci"
    (cd frontend && npm ci --no-audit --no-fund --loglevel=error) || status=1
  fi
  background "frontend unit tests (typecheck, ESLint, Vitest)" bash -c "cd frontend && npm test"
fi

# The demo model every suite tests with, trained once into .cache/ before the suites share it.
"$VENV/bin/python" -c "from driftwatch_testing.demo import demo_files; demo_files()" || status=1

suites=()
for dir in backend/tests monitoring-worker/tests traffic-simulator/tests; do
  [ -d "$dir" ] && suites+=("$dir")
done
if [ "$fast" = 0 ] && [ -d frontend/e2e ]; then
  background "end-to-end tests (the stack in headless Chromium)" "${PYTEST[@]}" frontend/e2e
fi

echo "==> Python linters: ruff (lint and format), the layer contracts (import-linter) and mypy"
"$VENV/bin/ruff" check --quiet . || status=1
"$VENV/bin/ruff" format --check --quiet . || status=1
for service in backend monitoring-worker; do
  (cd "$service" && "$VENV/bin/lint-imports" --no-logo) || status=1
done
# Each package on its own, importing the others as installed (editable) packages.
(cd backend/packages/driftwatch-core/src && "$VENV/bin/mypy" --config-file "$ROOT/mypy.ini" -p driftwatch_core) || status=1
(cd backend/packages/driftwatch-testing/src && "$VENV/bin/mypy" --config-file "$ROOT/mypy.ini" -p driftwatch_testing) || status=1
(cd backend && "$VENV/bin/mypy" --config-file ../mypy.ini -p app) || status=1
(cd monitoring-worker && "$VENV/bin/mypy" --config-file ../mypy.ini -p worker) || status=1
(cd traffic-simulator && "$VENV/bin/mypy" --config-file ../mypy.ini -p simulator) || status=1

if [ "$fast" = 1 ]; then
  echo "==> Python suites, fast tier: ${suites[*]}"
  "${PYTEST[@]}" -m "not slow and not e2e" "${suites[@]}" || status=1
else
  echo "==> Python suites: ${suites[*]}"
  "${PYTEST[@]}" "${suites[@]}" || status=1
fi

for name in "${jobs_started[@]}"; do
  code=0
  wait "$(cat "$logs/$name.pid")" || code=$?
  echo "==> $name: exit $code"
  cat "$logs/$name.log"
  [ "$code" = 0 ] || status=1
done
echo "==> $( [ "$fast" = 1 ] && echo "fast tier" || echo "every tier") finished in $((SECONDS - started)) s (exit $status)"
exit "$status"
