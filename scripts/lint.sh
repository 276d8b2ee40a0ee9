#!/usr/bin/env bash
# Style and static checks, as CI runs them: clang-format over every tracked C++ file (fails on
# any file that is not formatted as .clang-format says; fix with clang-format -i), then
# clang-tidy (.clang-tidy's checks, every warning an error) over the .cc files of src/ that
# changed since DRMM_LINT_BASE (the tests are compiled with GCC's precompiled headers, which
# clang cannot read): by default the parent of HEAD, i.e. what the commit under test
# changed (a merge: everything its branch brought). DRMM_LINT_BASE=all checks the whole tree (about
# 10 s of CPU per file). Needs a configured build for compile_commands.json (BUILD_DIR, default
# build/). Prints each step's time.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
base=${DRMM_LINT_BASE:-HEAD~1}
for tool in clang-format clang-tidy; do
  command -v "$tool" >/dev/null || { echo "lint.sh: $tool not found (scripts/install-deps.sh)" >&2; exit 2; }
done
[ -f "$build_dir/compile_commands.json" ] ||
  { echo "lint.sh: $build_dir/compile_commands.json missing: run scripts/build.sh first" >&2; exit 2; }

started=$(date +%s)
mapfile -t sources < <(git ls-files '*.cc' '*.h')
if ! clang-format --dry-run -Werror "${sources[@]}"; then
  echo "lint.sh: the files above are not clang-format clean (clang-format -i <file>)" >&2
  exit 1
fi
echo "lint.sh: clang-format: ${#sources[@]} files clean in $(($(date +%s) - started)) s"

started=$(date +%s)
if [ "$base" = all ]; then
  mapfile -t changed < <(git ls-files 'src/*.cc')
elif git rev-parse -q --verify "$base^{commit}" >/dev/null; then
  mapfile -t changed < <(git diff --name-only --diff-filter=d "$base" HEAD -- 'src/*.cc')
else
  echo "lint.sh: no commit $base (a shallow clone?): clang-tidy checks nothing" >&2
  changed=()
fi
# Only files the build compiles (fuzz targets and sources of other builds are not in it).
checked=()
for file in "${changed[@]}"; do
  grep -q "\"file\": \"$(pwd)/$file\"" "$build_dir/compile_commands.json" && checked+=("$file")
done
if [ ${#checked[@]} -gt 0 ]; then
  # -Wno-unknown-warning-option: the build's GCC-only flags (-Wno-restrict) mean nothing to clang.
  printf '%s\n' "${checked[@]}" |
    xargs -P "${JOBS:-$(nproc)}" -n 4 clang-tidy -p "$build_dir" --quiet --warnings-as-errors='*' \
      --extra-arg=-Wno-unknown-warning-option
fi
echo "lint.sh: clang-tidy: ${#checked[@]} changed files (since $base) clean in $(($(date +%s) - started)) s"
