#!/usr/bin/env bash
# The rate-budget soak: the exporter against the simulator with Datto's full-size window (60 s,
# 600 requests), other consumers taking 250 requests a minute and every collector configured at
# 10 s (far more than the budget carries), for a bounded time. Prints the highest window usage
# the simulator saw and fails when the budget or the account's cut-off was exceeded.
# `--replicas=2` runs two exporters on the one account (an HA pair, each with the default
# 300/min) beside others at 100/min: the busiest window of the whole account must stay under
# the 540 cut-off with both of them at full demand. Further rate_soak flags pass through.
# Usage: scripts/soak.sh [DURATION] [--replicas=2] [rate_soak flags]   (default 5m; CI runs 150s
# of each). Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5m}
shift || true
extra=()
for arg in "$@"; do
  case "$arg" in
    --replicas=2) extra+=("$arg" --others-rpm=100 --budget-rpm=300) ;;
    *) extra+=("$arg") ;;
  esac
done
start=$(date +%s)
status=0
build/bench/exporter/rate_soak --duration="$duration" "${extra[@]}" \
  2> >(grep -v ' level=info ' >&2) || status=$?
echo "soak took $(($(date +%s) - start))s"
exit "$status"
