#!/usr/bin/env bash
# test-on-debian.sh [RELEASE]: builds and tests this checkout on a clean Debian RELEASE
# (default trixie, Debian 13) the way a new user's fresh machine would: a minbase root file
# system (debootstrap, cached like the package test's) where scripts/install-deps.sh installs
# everything from that release's packages, the build with warnings as errors, every CTest suite,
# and the Debian package built there and installed into another clean root of the same release
# (scripts/test-package.sh); and the README's demo command, scripts/run.sh, until the exporter
# serves the simulator's account. Prints the time of each stage; exits non-zero on any failure.
# Needs root (debootstrap, chroot, mounts).
#
# The checkout and ../shared are mounted at the same paths inside, so the build directory,
# build-debian-RELEASE/, is in the checkout (Debian 13's GCC and libraries; not for the host).
#
# Environment:
#   DRMM_DEBIAN_WORKDIR   where the root file system is unpacked (default /var/tmp/drmm-debian-RELEASE;
#                         outside the checkout, which is mounted inside it)
#   DRMM_PACKAGE_CACHE    the cached bootstrapped Debian (default /var/cache/datto-rmm-exporter-test)
#   JOBS                  parallel compile and test jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
release=${1:-trixie}
# shellcheck source=lib/debian-rootfs.sh
source scripts/lib/debian-rootfs.sh
# shellcheck source=lib/checks.sh
source scripts/lib/checks.sh "test-on-debian $release"

work=${DRMM_DEBIAN_WORKDIR:-/var/tmp/drmm-debian-$release}
cache=${DRMM_PACKAGE_CACHE:-/var/cache/datto-rmm-exporter-test}
root=$work/root
build_dir=build-debian-$release
shared=$(cd "$repo/.." && pwd)/shared
jobs=${JOBS:-$(nproc)}

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot)"
case "$work/" in
  "$repo"/*) fail "DRMM_DEBIAN_WORKDIR must be outside the checkout" ;;
esac

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_process_groups
  remove_rootfs "$root"
  print_result $status "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "a clean Debian $release"
mkdir -p "$work"
unpack_cached_rootfs "$root" "$release" "$cache" "$work/debootstrap.log"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
# /dev as the host has it (pseudo-terminals, /dev/shm); a slave, so that unmounting it again
# never reaches the host's mounts.
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
binds=("$repo" "$cache")
[ ! -d "$shared" ] || binds+=("$shared")
for dir in "${binds[@]}"; do
  mkdir -p "$root$dir"
  mount --bind "$dir" "$root$dir"
done
# Commands inside start from a clean environment, as a login on that machine would.
root_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
  LANG=C.UTF-8 JOBS="$jobs")
in_root() { chroot "$root" "${root_env[@]}" "$@"; }
echo "  $(in_root sh -c '. /etc/os-release && echo "$PRETTY_NAME"')"

stage "install what building and testing need (scripts/install-deps.sh)"
in_root bash -c "cd '$repo' && DRMM_WITH_PACKAGE_TOOLS=1 scripts/install-deps.sh" >"$work/install-deps.log" 2>&1 ||
  fail "scripts/install-deps.sh: $(tail -n 30 "$work/install-deps.log")"
echo "  $(in_root dpkg-query -W -f '${binary:Package}\n' | wc -l) packages; g++ $(in_root g++ -dumpfullversion)," \
  "prometheus-cpp $(in_root dpkg-query -W -f '${Version}' prometheus-cpp-dev)," \
  "cpp-httplib $(in_root dpkg-query -W -f '${Version}' libcpp-httplib-dev)," \
  "yaml-cpp $(in_root dpkg-query -W -f '${Version}' libyaml-cpp-dev)"

stage "build, warnings are errors (the benchmark programs are not built: no test runs them)"
# -g0: nobody debugs these binaries; it is the same -O2 code and warnings as the host's build.
in_root bash -c "cd '$repo' && BUILD_DIR=$build_dir scripts/build.sh -DDRMM_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g0 -DNDEBUG' -DDRMM_BUILD_BENCHMARKS=OFF" \
  >"$work/build.log" 2>&1 || fail "the build: $(tail -n 40 "$work/build.log")"
ok "built: $(tail -n 1 "$work/build.log")"

stage "every CTest suite"
in_root bash -c "cd '$repo' && ctest --test-dir $build_dir --output-on-failure -j $jobs --timeout 300" \
  >"$work/ctest.log" 2>&1 || fail "ctest: $(grep -v ' Passed ' "$work/ctest.log" | tail -n 80)"
ok "$(grep -E 'tests passed' "$work/ctest.log")"

stage "the README's demo command: scripts/run.sh serves the simulator's account on :9768"
# As a new user runs it (the build directory is this run's, so it only checks that the programs
# are built), in its own process group, stopped as a whole.
setsid chroot "$root" "${root_env[@]}" bash -c "cd '$repo' && BUILD_DIR=$build_dir exec scripts/run.sh" \
  >"$work/run.log" 2>&1 &
demo=$!
process_groups+=("$demo")
demo_ready() {
  kill -0 "$demo" 2>/dev/null || fail "scripts/run.sh exited: $(tail -n 30 "$work/run.log")"
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9768/-/ready)" = 200 ]
}
wait_for 60 demo_ready || fail "scripts/run.sh: /-/ready never answered 200: $(tail -n 30 "$work/run.log")"
# grep -c reads the whole scrape: grep -q could stop curl with SIGPIPE, failing the pipeline.
[ "$(curl -s http://127.0.0.1:9768/metrics | grep -c '^datto_rmm_up{account="demo"} 1$' || true)" = 1 ] ||
  fail "scripts/run.sh did not serve datto_rmm_up{account=\"demo\"} 1: $(tail -n 30 "$work/run.log")"
ok '/-/ready 200, datto_rmm_up{account="demo"} 1'
stop_process_groups
process_groups=()

stage "the Debian package, built on $release and installed into a clean $release"
in_root bash -c "cd '$repo' && BUILD_DIR=$build_dir DRMM_PACKAGE_WORKDIR=/var/tmp/drmm-package \
  DRMM_PACKAGE_CACHE='$cache' scripts/test-package.sh" >"$work/package.log" 2>&1 ||
  fail "scripts/test-package.sh: $(tail -n 40 "$work/package.log")"
grep -E '^  ok: (Version|systemd-analyze security|ready)' "$work/package.log"
ok "the package: $(grep -E 'passed,' "$work/package.log")"
