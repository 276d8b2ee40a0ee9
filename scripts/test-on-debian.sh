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
# shellcheck source=lib/debian-rootfs.sh
source scripts/lib/debian-rootfs.sh

release=${1:-trixie}
work=${DRMM_DEBIAN_WORKDIR:-/var/tmp/drmm-debian-$release}
cache=${DRMM_PACKAGE_CACHE:-/var/cache/datto-rmm-exporter-test}
root=$work/root
build_dir=build-debian-$release
shared=$(cd "$repo/.." && pwd)/shared
jobs=${JOBS:-$(nproc)}

[ "$(id -u)" -eq 0 ] || { echo "test-on-debian: needs root (debootstrap, chroot)" >&2; exit 1; }
case "$work/" in
  "$repo"/*) echo "test-on-debian: DRMM_DEBIAN_WORKDIR must be outside the checkout" >&2; exit 1 ;;
esac

started=$(date +%s)
stage() { printf '\n--- %s (%ds)\n' "$1" $(($(date +%s) - started)); }
demo=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$demo" ]; then
    kill -TERM -- "-$demo" 2>/dev/null || true
    wait "$demo" 2>/dev/null || true
  fi
  remove_rootfs "$root"
  echo "test-on-debian $release: $([ $status -eq 0 ] && echo passed || echo "FAILED (exit $status)") in $(($(date +%s) - started)) s"
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
  { tail -n 30 "$work/install-deps.log" >&2; exit 1; }
echo "  $(in_root dpkg-query -W -f '${binary:Package}\n' | wc -l) packages; g++ $(in_root g++ -dumpfullversion)," \
  "prometheus-cpp $(in_root dpkg-query -W -f '${Version}' prometheus-cpp-dev)," \
  "cpp-httplib $(in_root dpkg-query -W -f '${Version}' libcpp-httplib-dev)," \
  "yaml-cpp $(in_root dpkg-query -W -f '${Version}' libyaml-cpp-dev)"

stage "build, warnings are errors (the benchmark programs are not built: no test runs them)"
# -g0: nobody debugs these binaries; it is the same -O2 code and warnings as the host's build.
in_root bash -c "cd '$repo' && BUILD_DIR=$build_dir scripts/build.sh -DDRMM_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g0 -DNDEBUG' -DDRMM_BUILD_BENCHMARKS=OFF" \
  >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; exit 1; }
tail -n 1 "$work/build.log"

stage "every CTest suite"
in_root bash -c "cd '$repo' && ctest --test-dir $build_dir --output-on-failure -j $jobs --timeout 300" \
  >"$work/ctest.log" 2>&1 || { grep -v ' Passed ' "$work/ctest.log" | tail -n 80 >&2; exit 1; }
grep -E 'tests passed|Total Test time' "$work/ctest.log"

stage "the README's demo command: scripts/run.sh serves the simulator's account on :9768"
# As a new user runs it (the build directory is this run's, so it only checks that the programs
# are built), in its own process group, stopped as a whole.
setsid chroot "$root" "${root_env[@]}" bash -c "cd '$repo' && BUILD_DIR=$build_dir exec scripts/run.sh" \
  >"$work/run.log" 2>&1 &
demo=$!
demo_ready=""
for _ in $(seq 300); do  # up to 60 s
  [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9768/-/ready)" = 200 ] && { demo_ready=1; break; }
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.2
done
up=$(curl -s http://127.0.0.1:9768/metrics | grep -c '^datto_rmm_up{account="demo"} 1$' || true)
kill -TERM -- "-$demo" 2>/dev/null || true
wait "$demo" 2>/dev/null || true
demo=""
if [ -z "$demo_ready" ] || [ "$up" != 1 ]; then
  tail -n 30 "$work/run.log" >&2
  echo "test-on-debian: scripts/run.sh did not serve datto_rmm_up{account=\"demo\"} 1" >&2
  exit 1
fi
echo "  /-/ready 200, datto_rmm_up{account=\"demo\"} 1"

stage "the Debian package, built on $release and installed into a clean $release"
in_root bash -c "cd '$repo' && BUILD_DIR=$build_dir DRMM_PACKAGE_WORKDIR=/var/tmp/drmm-package \
  DRMM_PACKAGE_CACHE='$cache' scripts/test-package.sh" >"$work/package.log" 2>&1 ||
  { tail -n 40 "$work/package.log" >&2; exit 1; }
grep -E '^  ok: (Version|systemd-analyze security|ready)|passed,' "$work/package.log"
