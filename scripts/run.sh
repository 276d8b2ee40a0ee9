#!/usr/bin/env bash
# The one command to see the exporter work: installs what is needed, builds, and starts
# datto-rmm-exporter on http://localhost:9768/ —
#   * against the bundled Datto RMM simulator (no credentials needed), or
#   * against a real Datto RMM account when DATTO_RMM_API_KEY, DATTO_RMM_API_SECRET and
#     DATTO_RMM_PLATFORM (pinotage, merlot, concord, vidal, zinfandel or syrah) are set.
# Ctrl-C stops everything it started. Extra arguments go to the exporter (e.g. --log.level=debug).
set -euo pipefail
cd "$(dirname "$0")/.."

# Only what building the two programs needs; the test suites' servers come with scripts/test.sh.
DRMM_DEPS=build scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
bin=$build_dir/bin
# Only the two programs the demo runs, not the test suites: a few minutes on two cores the first
# time, seconds after that. Ninja prints its progress ([done/total]).
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S . -B "$build_dir" "${generator[@]}" >/dev/null
fi
echo "run.sh: building datto-rmm-exporter and datto-rmm-sim in $build_dir/" >&2
started=$(date +%s)
cmake --build "$build_dir" --target datto-rmm-exporter datto-rmm-sim -j "${JOBS:-$(nproc)}" >&2
echo "run.sh: built in $(($(date +%s) - started)) s" >&2

if [ -n "${DATTO_RMM_API_KEY:-}" ] || [ -n "${DATTO_RMM_API_SECRET:-}" ]; then
  : "${DATTO_RMM_API_KEY:?set DATTO_RMM_API_KEY as well}"
  : "${DATTO_RMM_API_SECRET:?set DATTO_RMM_API_SECRET as well}"
  : "${DATTO_RMM_PLATFORM:?set DATTO_RMM_PLATFORM to your platform (merlot, concord, ...)}"
  mkdir -p .demo
  # The credentials stay in the environment; the file only names the platform.
  cat >.demo/real-account.yaml <<YAML
accounts:
  - name: ${DATTO_RMM_ACCOUNT_NAME:-datto}
    platform: ${DATTO_RMM_PLATFORM}
YAML
  echo "run.sh: polling the real account on ${DATTO_RMM_PLATFORM}; metrics on http://localhost:9768/metrics" >&2
  exec "$bin/datto-rmm-exporter" --config.file=.demo/real-account.yaml "$@"
fi

mkdir -p .demo
"$bin/datto-rmm-sim" --port 8780 >.demo/sim.out 2>.demo/sim.log &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -f .demo/sim.out' EXIT INT TERM
for _ in $(seq 100); do
  grep -q "listening on" .demo/sim.out 2>/dev/null && break
  kill -0 $sim_pid 2>/dev/null || { cat .demo/sim.log >&2; exit 1; }
  sleep 0.1
done
echo "run.sh: simulator on http://127.0.0.1:8780 (log: .demo/sim.log); exporter on http://localhost:9768/" >&2
"$bin/datto-rmm-exporter" --config.file=config.example.yaml "$@"
