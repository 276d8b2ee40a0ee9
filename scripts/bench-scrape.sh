#!/usr/bin/env bash
# The scrape benchmark (issue 11): the simulator at a big account's size, the exporter polling it
# with churn, and `hey` scraping /metrics with 10 concurrent clients while the polls run. Prints,
# per size: time to the first full poll and its requests, CPU seconds per full poll, series and
# bytes of /metrics, scrape p50/p99 with and without gzip and with gzip while no poll runs, the
# exporter's resident memory after the first and the last half of the gzip scrapes, and its peak
# (VmHWM). Figures only: nothing is
# asserted (the machines are shared; compare figures of one run). docs/performance.md and the
# sizing table in docs/deployment.md come from this script.
#
# Usage: scripts/bench-scrape.sh
# Environment:
#   SIZES="2000"        sites per run; each run has 50 devices and 10 open alerts per site
#                       (2000 -> 100,000 devices, 20,000 alerts); e.g. SIZES="100 500 2000 5000"
#   POLLS=10            full device polls to wait for while scraping (each ~1 minute at 600
#                       requests a minute for 2,000 sites), then one more unscraped for the
#                       CPU figure; CI runs POLLS=1
#   SCRAPES=2000        gzip scrapes by 10 concurrent clients (plus SCRAPES/10, at least 200, without gzip)
#   MAX_DEVICES=0       >0: per-device series on, capped at this many devices
#   PAGES_IN_FLIGHT=    the account's pages_in_flight (default: the exporter's, 6)
#   CHURN_PER_MINUTE=6000  the simulator's list changes a minute (far above a real account's,
#                       to make every poll render anew; it also shifts the device list under
#                       nearly every walk, which makes the client refill: see docs/performance.md)
# Needs a build (scripts/build.sh) and hey (scripts/install-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-2000}
polls=${POLLS:-10}
scrapes=${SCRAPES:-2000}
max_devices=${MAX_DEVICES:-0}
churn_per_minute=${CHURN_PER_MINUTE:-6000}
pages_in_flight=${PAGES_IN_FLIGHT:+pages_in_flight: $PAGES_IN_FLIGHT}
for tool in hey curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-scrape.sh: $tool not found (scripts/install-deps.sh)" >&2; exit 2; }
done
for binary in build/bin/datto-rmm-sim build/bin/datto-rmm-exporter; do
  [ -x "$binary" ] || { echo "bench-scrape.sh: $binary missing: run scripts/build.sh" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# The sum of a counter over every series whose labels contain $2. Asked for gzip, as Prometheus
# asks: the exporter serves that from its prepared pieces, while a plain scrape makes it inflate
# the whole text, CPU the figures below must not include.
metric_sum() {
  curl -sf --compressed "http://127.0.0.1:$1/metrics" |
    awk -v name="$2" -v match_="$3" 'index($0, name) == 1 && (match_ == "" || index($0, match_)) {s += $NF} END {print s + 0}'
}
# hey's summary: the 50% and 99% latencies (seconds) and requests/sec.
hey_figures() {
  awk '/Requests\/sec:/ {rps = $2} /  50% in/ {p50 = $3} /  99% in/ {p99 = $3}
       END {printf "p50 %.1f ms  p99 %.1f ms  %.0f scrapes/s", p50 * 1000, p99 * 1000, rps}' "$1"
}

printf '%s\n' "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
for sites in $sizes; do
  devices=$((sites * 50))
  alerts=$((sites * 10))
  build/bin/datto-rmm-sim --port 0 --sites "$sites" --devices "$devices" --alerts "$alerts" \
    --rate-limit 100000 --churn-per-minute "$churn_per_minute" >"$work/sim.out" 2>"$work/sim.err" &
  pids+=($!)
  simulator=$!
  for _ in $(seq 100); do grep -q listening "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
  sim_url=$(sed -nE 's/.*listening on (http[^ ]+).*/\1/p' "$work/sim.out" | head -1)
  [ -n "$sim_url" ] || { echo "bench-scrape.sh: the simulator did not start" >&2; cat "$work/sim.err" >&2; exit 1; }

  device_metrics=""
  [ "$max_devices" -gt 0 ] && device_metrics="device_metrics: {enabled: true, max_devices: $max_devices}"
  # Owner-only, as the exporter asks of a file with inline credentials.
  touch "$work/config.yaml" && chmod 600 "$work/config.yaml"
  cat >"$work/config.yaml" <<EOF
accounts:
  - name: bench
    api_url: $sim_url
    api_key: demo-key
    api_secret: demo-secret
    rate_limit: {requests_per_minute: 600}
    max_staleness: 30m
    # Device walks back to back (the budget stretches the 10 s); sites and alerts at their usual
    # pace, so that they do not take the budget the device walks need.
    collectors:
      sites: {interval: 5m}
      devices: {interval: 10s}
      alerts: {interval: 60s}
    $device_metrics
    $pages_in_flight
EOF
  port=$(free_port)
  started=$(date +%s.%N)
  build/bin/datto-rmm-exporter --config.file="$work/config.yaml" \
    --web.listen-address="127.0.0.1:$port" >"$work/exporter.out" 2>"$work/exporter.err" &
  exporter=$!
  pids+=("$exporter")

  # The first full poll: every collector has succeeded once.
  first_poll=""
  for _ in $(seq 1800); do
    if [ "$(metric_sum "$port" datto_rmm_collector_success '' 2>/dev/null || echo 0)" = 4 ]; then
      first_poll=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
      break
    fi
    sleep 0.2
  done
  [ -n "$first_poll" ] || { echo "bench-scrape.sh: no full poll within 6 minutes" >&2; tail "$work/exporter.err" >&2; exit 1; }
  first_requests=$(metric_sum "$port" datto_rmm_api_requests_total '')
  device_pages=$(((devices + 249) / 250))
  walks_at() { echo $(($(metric_sum "$port" datto_rmm_api_requests_total 'endpoint="/api/v2/account/devices"') / device_pages)); }
  walks_before=$(walks_at)

  curl -sf "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
  series=$(grep -vc '^#' "$work/metrics.txt")
  bytes=$(stat -c %s "$work/metrics.txt")
  gzip_bytes=$(curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" | wc -c)

  # Scrapes while the polls run: two halves of gzip scrapes (resident memory after each), then
  # plain ones, until POLLS device walks have finished since the first poll.
  half=$((scrapes / 2))
  hey -n "$half" -c 10 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" >"$work/hey-gzip-1.txt"
  rss_first=$(status_kb "$exporter" VmRSS)
  hey -n "$half" -c 10 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" >"$work/hey-gzip-2.txt"
  rss_last=$(status_kb "$exporter" VmRSS)
  hey -n $((scrapes / 10 > 200 ? scrapes / 10 : 200)) -c 10 "http://127.0.0.1:$port/metrics" >"$work/hey-plain.txt"
  for _ in $(seq 3600); do
    [ $(($(walks_at) - walks_before)) -ge "$polls" ] && break
    hey -n 100 -c 10 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" >/dev/null
  done
  walks=$(($(walks_at) - walks_before))
  rss_end=$(status_kb "$exporter" VmRSS)
  # CPU per full poll without scrapes: from the end of one device walk to the end of the next,
  # with nobody scraping (told by the devices collector's last success, not by requests: a walk
  # that refills a gap takes more requests than the list has pages).
  devices_done() { curl -sf --compressed "http://127.0.0.1:$port/metrics" | awk 'index($0, "datto_rmm_collector_last_success_timestamp_seconds{") == 1 && index($0, "collector=\"devices\"") {print $NF}'; }
  wait_devices_done() {
    local from
    from=$(devices_done)
    for _ in $(seq 3600); do [ "$(devices_done)" != "$from" ] && return; sleep 1; done
  }
  wait_devices_done
  cpu_before=$(cpu_seconds "$exporter")
  wait_devices_done
  cpu_per_poll=$(awk -v a="$cpu_before" -v b="$(cpu_seconds "$exporter")" 'BEGIN {printf "%.2f", b - a}')
  # The same gzip scrapes with no poll at work: the simulator stopped (SIGSTOP), so the walk in
  # progress waits on its socket, using no CPU, and no render runs. Every figure above was
  # measured with polls fetching, folding and swapping snapshots; this one is the baseline they
  # are compared with.
  kill -STOP "$simulator"
  sleep 2
  hey -n "$half" -c 10 -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port/metrics" >"$work/hey-idle.txt"
  kill -CONT "$simulator"

  echo "--- $sites sites, $devices devices, $alerts open alerts${device_metrics:+, per-device series on (max_devices $max_devices)}"
  echo "first full poll:        ${first_poll} s, $first_requests requests"
  echo "/metrics:               $series series, $bytes bytes ($gzip_bytes gzipped)"
  echo "gzip scrapes 1st half:  $(hey_figures "$work/hey-gzip-1.txt")"
  echo "gzip scrapes 2nd half:  $(hey_figures "$work/hey-gzip-2.txt")"
  echo "plain scrapes:          $(hey_figures "$work/hey-plain.txt")"
  echo "gzip scrapes, no poll:  $(hey_figures "$work/hey-idle.txt")"
  echo "full polls while scraped: $walks; CPU per full poll (not scraped): ${cpu_per_poll} s"
  echo "resident memory:        $((rss_first / 1024)) MB after the 1st half of the gzip scrapes, $((rss_last / 1024)) MB after the 2nd, $((rss_end / 1024)) MB after $walks polls; peak $(($(status_kb "$exporter" VmHWM) / 1024)) MB"
  grep -E 'level=(warn|error)' "$work/exporter.err" | grep -v 'do not fit the rate budget' | head -5 || true

  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
done
