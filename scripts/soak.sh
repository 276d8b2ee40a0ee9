#!/usr/bin/env bash
# The rate-budget soak: the exporter against the simulator with Datto's full-size window (60 s,
# 600 requests), other consumers taking 250 requests a minute and every collector configured at
# 10 s (far more than the budget carries), for a bounded time. Prints the highest window usage
# the simulator saw and fails when the budget or the account's cut-off was exceeded.
# Usage: scripts/soak.sh [DURATION]   (default 5m; CI runs 150s). Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5m}
exec build/bench/exporter/rate_soak --duration="$duration" 2> >(grep -v ' level=info ' >&2)
