# shellcheck shell=bash
# What the end-to-end check scripts (test-image.sh, test-package.sh, test-on-debian.sh) share: named stages with
# their times, "ok"/"FAIL" lines counted into "N passed, N failed", waiting for a condition, and
# stopping the process groups a script started. Sourced, not run:
# `source scripts/lib/checks.sh NAME`, NAME prefixing failures and the result line.

check_name=${1:?usage: source scripts/lib/checks.sh NAME}
check_started=$(date +%s)
stage_names=() stage_seconds=() current_stage="" current_started=0 passed=0 process_groups=()

end_stage() {
  [ -n "$current_stage" ] || return 0
  stage_names+=("$current_stage")
  stage_seconds+=($(($(date +%s) - current_started)))
  current_stage=""
}
stage() {
  end_stage
  current_stage=$1 current_started=$(date +%s)
  printf '\n=== %s\n' "$1"
}
fail() {
  echo "$check_name: FAIL: $*" >&2
  exit 1
}
ok() {
  passed=$((passed + 1))
  echo "  ok: $*"
}

# wait_for SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds.
wait_for() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# Sends TERM to every group in process_groups, waits up to 5 s for each, then KILLs it.
stop_process_groups() {
  local pg
  for pg in "${process_groups[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
  for pg in "${process_groups[@]}"; do
    for _ in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
}

# print_result STATUS LOG_DIR: each stage's time, the total, and "N passed, N failed".
print_result() {
  local status=$1 logs=$2 i
  end_stage
  printf '\n%-36s %6s\n' "stage" "time"
  for i in "${!stage_names[@]}"; do printf '%-36s %5ds\n' "${stage_names[$i]}" "${stage_seconds[$i]}"; done
  printf '%-36s %5ds\n' "total" $(($(date +%s) - check_started))
  [ "$status" -eq 0 ] || echo "$check_name: FAILED (exit $status); logs in $logs" >&2
  echo "$check_name: $passed passed, $([ "$status" -eq 0 ] && echo 0 || echo 1) failed"
}
