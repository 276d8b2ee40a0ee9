#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the command CI runs (.ci/run).
# Stages: the normal build with -Werror; lint (clang-format, clang-tidy on the changed files);
# all CTest suites (unit, integration, tool, e2e); the rate-budget soaks (one exporter and two
# replicas, bounded) and the benchmark programs' figures; the container image, built with
# buildah from the Dockerfile on Debian 13 with -Werror and run against the simulator (needs
# root; DRMM_IMAGE_UNIT_TESTS=1 also builds and runs the unit tests there); the Debian package,
# installed into a clean Debian (needs root); the same tree on a clean Debian 13: its packages,
# build, every CTest suite and its own package (scripts/test-on-debian.sh, needs root); ASan+UBSan and TSan builds of the unit and
# integration suites; the libFuzzer targets (scripts/fuzz.sh), each for DRMM_FUZZ_SECONDS
# (default 35) from a fixed seed (DRMM_FUZZ_SEED, default 1).
# Environment: DRMM_SKIP_SANITIZERS=1 skips the sanitizer builds, DRMM_SKIP_IMAGE=1 the image,
# DRMM_SKIP_PACKAGE=1 the package, DRMM_SKIP_DEBIAN13=1 the Debian 13 run (quicker local runs);
# DRMM_SOAK_DURATION (default 150s); JOBS=N parallel compile jobs (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
stage() { printf '\n=== %s (%ds elapsed)\n' "$1" $(($(date +%s) - started)); }

stage "installing dependencies"
scripts/install-deps.sh

stage "build (warnings are errors)"
# -g1 instead of RelWithDebInfo's -g: the same -O2 code and warnings, line numbers in backtraces,
# and about a quarter less compile time (full debug info of the template-heavy test units is
# the largest part of the build's work). Nobody attaches a debugger in CI.
BUILD_DIR=build scripts/build.sh -DDRMM_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"

stage "lint: clang-format, clang-tidy on the files the commit changed"
scripts/lint.sh

stage "tests: unit, integration, tool, e2e"
ctest --test-dir build --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 300

stage "rate-budget soaks, one exporter and two replicas at once (full-size 60 s window, ${DRMM_SOAK_DURATION:-150s})"
# Both mostly wait on the budget, so they share the machine without disturbing each other.
scripts/soak.sh "${DRMM_SOAK_DURATION:-150s}" --replicas=2 >build/soak-replicas.log 2>&1 &
replicas=$!
scripts/soak.sh "${DRMM_SOAK_DURATION:-150s}"
replicas_status=0
wait "$replicas" || replicas_status=$?
echo "--- two replicas on one account"
cat build/soak-replicas.log
[ "$replicas_status" = 0 ]

stage "benchmarks (figures only)"
scripts/bench.sh

if [ "${DRMM_SKIP_IMAGE:-0}" != 1 ]; then
  stage "container image: build on Debian 13 with buildah (warnings are errors), run against the simulator"
  # The unit tests on Debian 13 (DRMM_IMAGE_UNIT_TESTS=1) compile the tree a fourth time, at
  # -O3: run them with scripts/test-image.sh when the compiler or the libraries change.
  DRMM_IMAGE_UNIT_TESTS=${DRMM_IMAGE_UNIT_TESTS:-0} scripts/test-image.sh
fi

if [ "${DRMM_SKIP_PACKAGE:-0}" != 1 ]; then
  stage "Debian package: build with CPack, install into a clean Debian, check"
  scripts/test-package.sh
fi

if [ "${DRMM_SKIP_DEBIAN13:-0}" != 1 ]; then
  stage "Debian 13: in a clean trixie, install, build (warnings are errors), every CTest suite, the package"
  scripts/test-on-debian.sh trixie
fi

if [ "${DRMM_SKIP_SANITIZERS:-0}" != 1 ]; then
  for sanitizer in address thread; do
    stage "build and test with -DDRMM_SANITIZE=$sanitizer"
    # Only the suites it runs: the binaries, e2e and tool tests are not compiled again.
    BUILD_DIR=build-$sanitizer TARGETS="tests_unit tests_integration" scripts/build.sh \
      -DDRMM_WERROR=ON -DDRMM_SANITIZE=$sanitizer -DDRMM_BUILD_BENCHMARKS=OFF
    ctest --test-dir build-$sanitizer --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 600 \
      -L 'unit|integration'
  done
fi

stage "fuzzing: each libFuzzer target for ${DRMM_FUZZ_SECONDS:-35} s under ASan and UBSan"
DRMM_FUZZ_SEED=${DRMM_FUZZ_SEED:-1} scripts/fuzz.sh "${DRMM_FUZZ_SECONDS:-35}"

stage "all tests passed"
