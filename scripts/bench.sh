#!/usr/bin/env bash
# Runs the benchmark programs and prints their figures (they assert nothing about time: these
# machines are shared and noisy; compare ratios within one run). Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
quiet() { "$@" 2> >(grep -v ' level=info ' >&2); }

echo "--- decoding device, site and alert pages (client): new, old and DOM"
quiet build/tests/datto/datto_decode_bench
echo "--- the simulator at 100,000 devices"
quiet build/bench/sim/sim_bench --walks=2
echo "--- requests per full poll: exporter vs minimum vs per-site walk"
quiet build/bench/exporter/requests_per_cycle
echo "--- a device walk with every page held back 500 ms: one page at a time against several"
quiet build/bench/exporter/walk_latency --devices=10000 --in_flight=1,6
echo "--- scrapes while the exporter polls with churn (500 sites; docs/performance.md has 2,000)"
SIZES=${DRMM_BENCH_SCRAPE_SIZES:-500} POLLS=1 SCRAPES=1000 scripts/bench-scrape.sh
