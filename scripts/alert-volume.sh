#!/usr/bin/env bash
# Counts the alerts an on-call would face: runs the simulator with the 2,000-site account
# (100,000 devices, 20,000 open alerts, default churn), the exporter polling it, and a real
# Prometheus (Debian's `prometheus`) scraping the exporter and evaluating the given rule files;
# after --seconds (default 75) it prints the alerts pending or firing, per alert and in total.
#
#   scripts/alert-volume.sh                         # the shipped rules/datto-rmm-alerts.yml
#   scripts/alert-volume.sh --seconds 120 old-alerts.yml rules/optional/datto-rmm-site-alerts.yml
#
# Needs a build (build/bin, or $BUILD_DIR/bin). Everything listens on 127.0.0.1 and is stopped
# on exit; the run takes --seconds plus a few seconds to start.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=75
rules=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    -*) echo "usage: $0 [--seconds N] [RULE_FILE...]" >&2; exit 2 ;;
    *) rules+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#rules[@]} -gt 0 ] || rules=("$PWD/rules/datto-rmm-alerts.yml")
case "$seconds" in ''|*[!0-9]*) echo "alert-volume: --seconds must be a whole number" >&2; exit 2 ;; esac
bin=${BUILD_DIR:-build}/bin
for program in "$bin/datto-rmm-sim" "$bin/datto-rmm-exporter"; do
  [ -x "$program" ] || { echo "alert-volume: $program not found: run scripts/build.sh" >&2; exit 1; }
done
command -v prometheus >/dev/null || { echo "alert-volume: prometheus not found" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Waits (at most 60 s) for a line matching $2 in file $1.
wait_for() {
  for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "alert-volume: timed out waiting for '$2' in $1" >&2; tail -5 "$1" >&2; return 1
}

"$bin/datto-rmm-sim" --port=0 --sites=2000 --devices=100000 --alerts=20000 --rate-limit=100000 \
  >"$work/sim.out" 2>"$work/sim.err" &
pids+=($!)
wait_for "$work/sim.out" "listening on"
sim_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sim.out" | head -1)

exporter_port=$(free_port)
cat >"$work/exporter.yaml" <<YAML
accounts:
  - name: msp
    api_url: $sim_url
    api_key: demo-key
    api_secret: demo-secret
    rate_limit: {requests_per_minute: 600}
YAML
"$bin/datto-rmm-exporter" --config.file="$work/exporter.yaml" \
  --web.listen-address="127.0.0.1:$exporter_port" >"$work/exporter.out" 2>&1 &
pids+=($!)

prometheus_port=$(free_port)
{
  printf 'global:\n  scrape_interval: 10s\n  scrape_timeout: 10s\n  evaluation_interval: 10s\n'
  printf 'rule_files:\n'
  for file in "${rules[@]}"; do printf '  - %s\n' "$file"; done
  printf 'scrape_configs:\n  - job_name: datto-rmm\n    static_configs:\n'
  printf "      - targets: ['127.0.0.1:%s']\n" "$exporter_port"
} >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.out" 2>&1 &
pids+=($!)
started=$(date +%s)

echo "alert-volume: 2,000 sites, 100,000 devices, 20,000 alerts, default churn; rules: ${rules[*]}"
echo "alert-volume: waiting ${seconds}s from start"
sleep "$seconds"
elapsed=$(($(date +%s) - started))
query() {
  curl -sf --max-time 20 "http://127.0.0.1:$prometheus_port/api/v1/query" \
    --data-urlencode "query=$1"
}
# Which collectors have data by now: on a slow machine the 100,000-device walk may not be done.
query 'max_over_time(datto_rmm_collector_success[1m])' | python3 -c '
import json, sys
result = json.load(sys.stdin)["data"]["result"]
print("  collectors succeeded: " + (", ".join(sorted(
    r["metric"]["collector"] for r in result if r["value"][1] == "1")) or "none"))
'
query 'count by (alertname, alertstate) (ALERTS)' | python3 -c '
import json, sys
rows = sorted(((r["metric"]["alertname"], r["metric"]["alertstate"], int(r["value"][1]))
               for r in json.load(sys.stdin)["data"]["result"]), key=lambda r: (-r[2], r[0]))
total = sum(r[2] for r in rows)
for name, state, count in rows:
    print(f"  {count:6d}  {name} ({state})")
print(f"alerts pending or firing after '"$elapsed"' s: {total}")
'
