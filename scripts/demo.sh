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

pids=()
stop() {
  # Each server runs in its own session (setsid), so the whole group is signalled: a
  # backgrounded `dagster dev` otherwise ignores SIGINT/SIGTERM from a non-interactive shell.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

setsid "$BIN/dagster" dev -m orchestration.definitions -h 0.0.0.0 -p "$DAGSTER_PORT" \
  >var/dagster-dev.log 2>&1 &
pids+=($!)
setsid "$BIN/uvicorn" --factory api.main:create_app --host 0.0.0.0 --port "$API_PORT" \
  >var/api.log 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$API_PORT/health" >/dev/null 2>&1 && break
  sleep 1
done
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$DAGSTER_PORT/server_info" >/dev/null 2>&1 && break
  sleep 1
done

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
