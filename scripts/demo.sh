#!/usr/bin/env bash
# The tail of `make demo`: build the warehouse through Dagster, then serve the API and the
# Dagster UI side by side until Ctrl-C. (Migrations and demo data ran before, see the Makefile.)
set -euo pipefail
cd "$(dirname "$0")/.."

API_PORT="${1:-8000}"
DAGSTER_PORT="${2:-3000}"
BIN=.venv/bin
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/var/dagster_home}"
mkdir -p "$DAGSTER_HOME" var/landing
cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"

echo "==> materializing every asset (landing import, dbt marts and checks, publish)"
"$BIN/dagster" asset materialize --select '*' -m orchestration.definitions

# A command backgrounded with `&` in a script starts with SIGINT ignored, and `dagster dev` then
# ignores SIGTERM too (STACK.md): restore SIGINT in the subshell before exec, and stop with it.
( trap - INT; exec "$BIN/dagster" dev -m orchestration.definitions -h 0.0.0.0 -p "$DAGSTER_PORT" ) \
  >var/dagster-dev.log 2>&1 &
DAGSTER_PID=$!
( trap - INT; exec "$BIN/uvicorn" --factory api.main:create_app --host 0.0.0.0 --port "$API_PORT" ) \
  >var/api.log 2>&1 &
API_PID=$!

stop() {
  trap - EXIT INT TERM
  kill -INT "$DAGSTER_PID" "$API_PID" 2>/dev/null || true
  wait "$DAGSTER_PID" "$API_PID" 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_for() {  # url: poll until it answers (up to 90 s)
  "$BIN/python" - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(90):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(1)
sys.exit(f"{sys.argv[1]} did not answer")
PY
}
wait_for "http://127.0.0.1:$API_PORT/health"
wait_for "http://127.0.0.1:$DAGSTER_PORT/server_info"

cat <<INFO

  API         http://localhost:$API_PORT/docs      (log: var/api.log)
  Dagster UI  http://localhost:$DAGSTER_PORT            (log: var/dagster-dev.log)

  Demo logins (password demo-password-1):
    ada@demo.bankdash.dev    USD checking + card, EUR savings
    ben@demo.bankdash.dev    GBP current + savings
    chloe@demo.bankdash.dev  EUR giro + USD account
    admin@demo.bankdash.dev  admin

  Ctrl-C stops both servers.
INFO
wait
