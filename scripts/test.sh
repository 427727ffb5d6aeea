#!/usr/bin/env bash
# `make test`: lint, formatting, migrations check and the whole test suite (browser tests included),
# on SQLite, or on the database DATABASE_URL names. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
cd "$ROOT"
# Nothing of a test run lands in data/: the manage.py steps get a throw-away DATA_DIR (the tests
# make their own, see config/test_settings.py).
DATA_DIR="$(mktemp -d -t minqing-test-run-XXXXXX)"
export DATA_DIR
trap 'rm -rf "$DATA_DIR"' EXIT

ensure_venv
ensure_runtime_packages
ensure_test_packages
compile_messages

say "ruff check"
"$VENV/bin/ruff" check --quiet --output-format concise .
say "ruff format --check"
"$VENV/bin/ruff" format --check --output-format concise .
say "makemigrations --check"
"$PY" manage.py makemigrations --check --dry-run -v0
mkdir -p test-artifacts
if [ "$#" -gt 0 ]; then
  say "pytest $* (database: ${DATABASE_URL:-SQLite})"
  "$VENV/bin/pytest" -q -rfE "$@"
  exit
fi
# The whole suite in two runs, so that the log shows the browser tests on their own.
say "pytest: unit and page tests (database: ${DATABASE_URL:-SQLite})"
"$VENV/bin/pytest" -q -rfE -m "not browser"
say "pytest: browser tests in Chromium (database: ${DATABASE_URL:-SQLite})"
"$VENV/bin/pytest" -q -rfE -m browser
