#!/usr/bin/env bash
# Install everything the tests need from the project's own files and run every test.
#
#   ./scripts/test.sh                 linters, then all suites (Python, frontend unit, end-to-end)
#   ./scripts/test.sh PYTEST_ARGS...  only the Python tests, with these pytest arguments
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
if [ "$#" -gt 0 ]; then
  exec "${PYTEST[@]}" "$@"
fi

status=0
echo "==> Python linters: ruff (lint and format) and mypy"
"$VENV/bin/ruff" check --quiet . || status=1
"$VENV/bin/ruff" format --check --quiet . || status=1
# Each package on its own, importing the others as installed (editable) packages.
(cd backend/packages/driftwatch-core/src && "$VENV/bin/mypy" --config-file "$ROOT/mypy.ini" -p driftwatch_core) || status=1
(cd backend/packages/driftwatch-testing/src && "$VENV/bin/mypy" --config-file "$ROOT/mypy.ini" -p driftwatch_testing) || status=1
(cd backend && "$VENV/bin/mypy" --config-file ../mypy.ini -p app) || status=1
(cd monitoring-worker && "$VENV/bin/mypy" --config-file ../mypy.ini -p worker) || status=1
(cd traffic-simulator && "$VENV/bin/mypy" --config-file ../mypy.ini -p simulator) || status=1

if [ -f frontend/package.json ]; then
  echo "==> frontend: npm ci and unit tests"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm test) || status=1
fi

suites=()
for dir in backend/tests monitoring-worker/tests traffic-simulator/tests frontend/e2e; do
  [ -d "$dir" ] && suites+=("$dir")
done
echo "==> Python suites: ${suites[*]}"
"${PYTEST[@]}" "${suites[@]}" || status=$?
exit "$status"
