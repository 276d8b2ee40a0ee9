#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in build-fuzz/ (or
# $BUILD_DIR), then runs each for a bounded time on its seed corpus, tests/fuzz/corpus/<name>/
# for the target <name>_fuzz. Fails when a target crashes, leaks or trips a sanitizer; the input
# that did it is saved in build-fuzz/fuzz-artifacts/ (make it a regression test, e.g. in
# tests/datto/decode_test.cc). Inputs that reach new code are kept in build-fuzz/fuzz-corpus/
# between runs. Prints each target's time.
# Usage: scripts/fuzz.sh [seconds per target, default 60] [target name regex, default all]
# Needs clang and libclang-rt-dev (Debian's clang 14 and libclang-rt-14-dev on bookworm).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
filter=${2:-.}
build_dir=${BUILD_DIR:-build-fuzz}
case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: seconds must be a whole number, not '$seconds'" >&2; exit 2 ;; esac

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found (apt-get install clang libclang-rt-dev)" >&2; exit 2; }
done

started=$(date +%s)
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDRMM_FUZZ=ON -DDRMM_BUILD_TESTS=OFF -DDRMM_BUILD_BENCHMARKS=OFF >/dev/null
fi
cmake --build "$build_dir" --target fuzz_targets -j "${JOBS:-$(nproc)}"
echo "fuzz.sh: built in $(($(date +%s) - started)) s"

mapfile -t targets < <(find "$build_dir/tests/fuzz" -maxdepth 1 -type f -perm -u+x -name '*_fuzz' |
  sort | grep -E "$filter" || true)
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no target matches '$filter'" >&2; exit 2; }

mkdir -p "$build_dir/fuzz-artifacts"
failed=0
for binary in "${targets[@]}"; do
  name=$(basename "$binary" _fuzz)
  seeds=tests/fuzz/corpus/$name
  work=$build_dir/fuzz-corpus/$name
  mkdir -p "$work"
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  target_started=$(date +%s)
  echo "fuzz.sh: $name for ${seconds} s (seeds: $seeds)"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: 2 GB of RSS is a leak or a blowup.
  # -seed: CI passes a fixed one (DRMM_FUZZ_SEED) so that a run explores the same inputs and does
  # not fail a commit on a finding that has nothing to do with it; 0 means a new seed each run.
  if ! "$binary" -seed="${DRMM_FUZZ_SEED:-0}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      "${dict[@]}" -artifact_prefix="$build_dir/fuzz-artifacts/$name-" "$work" "$seeds" \
      >"$build_dir/fuzz-$name.log" 2>&1; then
    failed=1
    echo "fuzz.sh: $name FAILED after $(($(date +%s) - target_started)) s; log: $build_dir/fuzz-$name.log" >&2
    grep -E "ERROR|SUMMARY|decode_fuzz:|Test unit written|runtime error" "$build_dir/fuzz-$name.log" | head -20 >&2 || true
  else
    echo "fuzz.sh: $name passed in $(($(date +%s) - target_started)) s:" \
      "$(grep -E '^stat::number_of_executed_units' "$build_dir/fuzz-$name.log" | awk '{print $2}') runs," \
      "corpus $(find "$work" -type f | wc -l) inputs"
  fi
done
echo "fuzz.sh: done in $(($(date +%s) - started)) s"
exit "$failed"
