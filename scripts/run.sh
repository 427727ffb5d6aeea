#!/usr/bin/env bash
# `make run`: from a fresh clone to a running demo on http://HOST:PORT/ (default 127.0.0.1:8000).
# Prepares the environment, the database and the demo county, starts one queue worker in the
# background and the web server in the foreground; stopping the server stops the worker.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
cd "$ROOT"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export PYTHONUNBUFFERED=1

ensure_venv
ensure_runtime_packages

say "migrating the database"
"$PY" manage.py migrate --noinput -v0
compile_messages
"$PY" manage.py collectstatic --noinput -v0
if [ -d rules/packs ] && "$PY" manage.py help load_rules >/dev/null 2>&1; then
  mapfile -t PACKS < <(find rules/packs -maxdepth 1 -name '*.json' -printf '%f\n' | sed 's/\.json$//' | sort)
  say "loading rule packs: ${PACKS[*]}"
  "$PY" manage.py load_rules "${PACKS[@]}"
fi
say "building the demo county"
"$PY" manage.py demo
say "declaring the queue's schedules"
"$PY" manage.py setup_schedules

WORKER_PID=""
REPORT_WORKER_PID=""
SERVER_PID=""
stop_all() {
  # Background children of a script ignore Ctrl-C, so they are stopped here explicitly.
  local pid
  for pid in $SERVER_PID $WORKER_PID $REPORT_WORKER_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $SERVER_PID $WORKER_PID $REPORT_WORKER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting the queue worker (manage.py qcluster)"
"$PY" manage.py qcluster &
WORKER_PID=$!
say "starting the report worker (Q_CLUSTER_NAME=reports manage.py qcluster: one PDF per worker life)"
Q_CLUSTER_NAME=reports "$PY" manage.py qcluster &
REPORT_WORKER_PID=$!

say "minqing is at http://$HOST:$PORT/  (log in with one of the demo accounts above; Ctrl-C stops)"
"$VENV/bin/gunicorn" config.wsgi \
  --bind "$HOST:$PORT" \
  --workers 2 \
  --access-logfile - \
  --log-level "$(echo "${LOG_LEVEL:-info}" | tr '[:upper:]' '[:lower:]')" &
SERVER_PID=$!
# Waiting (rather than running the server in the foreground) lets the traps act at once.
wait "$SERVER_PID"
