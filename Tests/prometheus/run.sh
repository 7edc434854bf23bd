#!/usr/bin/env bash
# A real Prometheus scrapes the real daemon running against the simulator and evaluates
# the shipped alert rules (deploy/prometheus/mangrove-scheduler.rules.yml).
#
#   bash Tests/prometheus/run.sh --bin-dir .build/debug
#
# Everything listens on 127.0.0.1 (ephemeral ports), lives in a throw-away folder, and is
# stopped by PID on exit. Every wait is bounded. The simulator serves two ledgers:
# lgr_good (generates) and lgr_refused (no model: every POST is refused with 422), so
# lgr_refused's periods become overdue after the test schedule's alerts.overdue_after
# (PT1M; its periods closed days ago) and the overdue rule (for: rewritten to 0s) fires.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN_DIR=.build/debug
while [ $# -gt 0 ]; do
    case "$1" in
        --bin-dir) BIN_DIR="$2"; shift 2 ;;
        *) echo "usage: $0 [--bin-dir DIR]" >&2; exit 2 ;;
    esac
done
RULES=deploy/prometheus/mangrove-scheduler.rules.yml

skip() { echo "prometheus test: SKIPPED: $*"; exit 0; }
fail() { echo "prometheus test: FAILED: $*" >&2; for f in "$WORK"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done; exit 1; }

for tool in prometheus promtool curl python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        [ "${CI:-}" = true ] && { echo "prometheus test: $tool missing (bash .ci/setup installs it)" >&2; exit 1; }
        skip "$tool is not installed (bash .ci/setup installs it)"
    fi
done
[ -x "$BIN_DIR/mangrove-scheduler" ] && [ -x "$BIN_DIR/mangrove-sim" ] || { echo "build mangrove-scheduler and mangrove-sim first ($BIN_DIR)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/mangrove-prom-XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# wait_for SECONDS COMMAND...: polls every 0.5 s until COMMAND succeeds.
wait_for() {
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.5
    done
}

promtool check rules "$RULES"

# 1. The simulator.
cat > "$WORK/sim.json" <<JSON
{"token": "sim-token", "task_pending_seconds": 0.1, "task_duration_seconds": 0.2,
 "ledgers": [
   {"id": "lgr_good", "name": "Good", "unit": "tCO2e", "cadence": "daily", "latest_model": {"id": "mdl_1", "name": "m"},
    "required_inputs": [], "created_at": "2024-01-01T00:00:00.000Z"},
   {"id": "lgr_refused", "name": "Refused", "unit": "tCO2e", "cadence": "daily", "latest_model": null,
    "required_inputs": [], "created_at": "2024-01-01T00:00:00.000Z"}]}
JSON
"$BIN_DIR/mangrove-sim" --port 0 --config "$WORK/sim.json" > "$WORK/sim.out" 2> "$WORK/sim.log" &
PIDS+=($!)
wait_for 20 grep -q listening "$WORK/sim.out" || fail "mangrove-sim did not start"
BASE_URL=$(awk '/listening/ {print $NF}' "$WORK/sim.out")

# 2. The daemon, with metrics on a loopback port.
METRICS_PORT=$(free_port)
FIRST=$(date -u -d '5 days ago' +%Y-%m-%d)
cat > "$WORK/schedule.json" <<JSON
{"api": {"base_url": "$BASE_URL"}, "journal_path": "journal.jsonl",
 "polling": {"first_poll_after": "PT0.1S", "max_interval": "PT0.5S"},
 "limits": {"requests_per_second": 100},
 "recovery": {"unavailable_ledger_backoff": "PT1S"},
 "metrics": {"listen": "127.0.0.1:$METRICS_PORT"},
 "alerts": {"overdue_after": "PT1M"},
 "ledgers": [
   {"id": "lgr_good", "cadence": "daily", "first_period_start": "$FIRST"},
   {"id": "lgr_refused", "cadence": "daily", "first_period_start": "$FIRST"}]}
JSON
"$BIN_DIR/mangrove-scheduler" check --config "$WORK/schedule.json"
MANGROVE_API_TOKEN=sim-token "$BIN_DIR/mangrove-scheduler" run --config "$WORK/schedule.json" > "$WORK/daemon.log" 2>&1 &
PIDS+=($!)
wait_for 60 curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" || fail "the daemon does not serve /metrics on 127.0.0.1:$METRICS_PORT"

# 3. Every metric the rules use is exported by the running daemon.
curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" > "$WORK/metrics.txt"
for name in $(grep -o 'mangrove_scheduler_[a-z_]*' "$RULES" | sort -u); do
    grep -q "^$name[{ ]" "$WORK/metrics.txt" || fail "the rules use $name, which the daemon does not export"
done

# 4. Prometheus on loopback, scraping every second, with the shipped rules (for: 0s).
PROM_PORT=$(free_port)
sed -E 's/^( *)for: .*/\1for: 0s/' "$RULES" > "$WORK/rules.yml"
cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["$WORK/rules.yml"]
scrape_configs:
  - job_name: mangrove-scheduler
    static_configs:
      - targets: ["127.0.0.1:$METRICS_PORT"]
YAML
promtool check config "$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" > "$WORK/prometheus.log" 2>&1 &
PIDS+=($!)

query() { curl -fsS --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"; }
# has_result QUERY: the query returns at least one sample.
has_result() { query "$1" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["data"]["result"] else 1)'; }

wait_for 60 has_result 'up{job="mangrove-scheduler"} == 1' || fail "Prometheus never saw up == 1"
wait_for 60 has_result 'mangrove_scheduler_generations_total{ledger_id="lgr_good",outcome="completed"} > 0' \
    || fail "no completed generations counted for lgr_good"
wait_for 60 has_result 'mangrove_scheduler_periods_overdue{ledger_id="lgr_refused"} > 0' \
    || fail "lgr_refused has no overdue periods"
wait_for 60 has_result 'ALERTS{alertname="MangroveSchedulerPeriodOverdue",ledger_id="lgr_refused",alertstate="firing"}' \
    || fail "the overdue alert did not fire for lgr_refused"
has_result 'ALERTS{alertname="MangroveSchedulerPeriodOverdue",ledger_id="lgr_good"}' && fail "the overdue alert fired for lgr_good"
echo "prometheus test: up == 1, generations counted, MangroveSchedulerPeriodOverdue firing for lgr_refused"
