#!/usr/bin/env bash
# Builds the Debian packages (scripts/package.sh) and checks them the way an administrator
# meets them: installs them with apt into a clean Debian of the release they were built on
# (debootstrap, with systemd as every real host has it) and checks there that apt resolves the
# dependencies dpkg-shlibdeps computed, `datto-rmm-exporter --version` reports CMake's version,
# the packaged configuration passes --config.check with the credentials where systemd's
# LoadCredential= puts them (and fails, naming the file, without them), `systemd-analyze verify`
# accepts the unit and `systemd-analyze security` scores it, the installed exporter polls the
# installed simulator until ready, an edited conffile survives a reinstall, and remove and
# purge clean up. Prints the time of each stage and "N passed, N failed"; exits non-zero on any
# failure. Needs root (debootstrap, chroot).
#
# The bootstrapped Debian is cached as a tarball in $DRMM_PACKAGE_CACHE (default
# /var/cache/datto-rmm-exporter-test) and unpacked afresh for every run, so each run installs
# into a clean system; delete the tarball to bootstrap anew.
#
# Environment:
#   DRMM_PACKAGE_WORKDIR  chroot, logs and scratch files (default build-package/)
#   DRMM_PACKAGE_CACHE    where the bootstrapped Debian is kept between runs
#   BUILD_DIR             the build directory scripts/package.sh uses (default build/)
#   DRMM_SECURITY_MAX     the highest acceptable `systemd-analyze security` exposure (default 2.0)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=lib/debian-rootfs.sh
source scripts/lib/debian-rootfs.sh

work=${DRMM_PACKAGE_WORKDIR:-$repo/build-package}
cache=${DRMM_PACKAGE_CACHE:-/var/cache/datto-rmm-exporter-test}
release=$(. /etc/os-release && echo "$VERSION_CODENAME")
unit=datto-rmm-exporter.service
credentials=/run/credentials/$unit

# shellcheck source=lib/checks.sh
source scripts/lib/checks.sh test-package

root=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_process_groups
  [ -z "$root" ] || remove_rootfs "$root"
  print_result $status "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_root() { chroot "$root" "$@"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot)"
[ -n "$release" ] || fail "no VERSION_CODENAME in /etc/os-release"
mkdir -p "$work" "$cache"

stage "build the packages (scripts/package.sh)"
mapfile -t debs < <(scripts/package.sh | grep '\.deb$')
[ ${#debs[@]} -eq 2 ] || fail "expected 2 packages, got: ${debs[*]:-none}"
exporter_deb=$(printf '%s\n' "${debs[@]}" | grep '/datto-rmm-exporter_')
sim_deb=$(printf '%s\n' "${debs[@]}" | grep '/datto-rmm-sim_')
ok "$(basename "$exporter_deb"), $(basename "$sim_deb")"

stage "package metadata"
version=$(sed -nE 's/^project\([^)]*VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version_id=$(. /etc/os-release && echo "$VERSION_ID")
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$exporter_deb" Version)" = "$version-1~deb$version_id" ] ||
  fail "Version $(field "$exporter_deb" Version), expected $version-1~deb$version_id"
ok "Version $(field "$exporter_deb" Version) (CMake's project version)"
depends=$(field "$exporter_deb" Depends)
for library in libprometheus-cpp-core libcpp-httplib libyaml-cpp libstdc++6 ca-certificates; do
  [[ "$depends" == *"$library"* ]] || fail "Depends lacks $library: $depends"
done
ok "Depends (dpkg-shlibdeps): $depends"
dpkg-deb -e "$exporter_deb" "$work/control"
[ "$(cat "$work/control/conffiles")" = "$(printf '/etc/datto-rmm-exporter/config.yaml\n/etc/default/datto-rmm-exporter')" ] ||
  fail "conffiles: $(cat "$work/control/conffiles")"
ok "conffiles: $(paste -sd' ' "$work/control/conffiles")"
dpkg-deb -c "$exporter_deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/exporter-files.txt"
for f in /usr/bin/datto-rmm-exporter /usr/lib/systemd/system/$unit /etc/datto-rmm-exporter/config.yaml \
  /usr/share/doc/datto-rmm-exporter/copyright /usr/share/datto-rmm-exporter/rules/datto-rmm-alerts.yml; do
  grep -qx "$f" "$work/exporter-files.txt" || fail "datto-rmm-exporter lacks $f"
done
! grep -q datto-rmm-sim "$work/exporter-files.txt" || fail "the simulator is in the exporter's package"
dpkg-deb -c "$sim_deb" >"$work/sim-files.txt"
grep -q '\./usr/bin/datto-rmm-sim$' "$work/sim-files.txt" || fail "datto-rmm-sim lacks /usr/bin/datto-rmm-sim"
ok "files: the exporter, its unit and config in one package, the simulator in the other"

stage "clean Debian $release (debootstrap)"
root="$work/root"
unpack_cached_rootfs "$root" "$release" "$cache" "$work/debootstrap.log" ||
  fail "debootstrap $release (log: $work/debootstrap.log)"
size_mb=$(du -sm "$root" | cut -f1)
mount -t proc proc "$root/proc"
ok "unpacked a clean Debian $release ($size_mb MB)"

stage "install with apt"
cp "$exporter_deb" "$sim_deb" "$root/tmp/"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || fail "apt-get update: $(tail -n 5 "$work/apt.log")"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/tmp/$(basename "$exporter_deb")" "/tmp/$(basename "$sim_deb")" >>"$work/apt.log" 2>&1 ||
  fail "apt-get install: $(tail -n 20 "$work/apt.log")"
for p in datto-rmm-exporter datto-rmm-sim; do
  [ "$(in_root dpkg-query -W -f '${Status}' $p)" = "install ok installed" ] || fail "$p is not installed"
done
ok "apt installed both and $(grep -c '^Setting up' "$work/apt.log") packages in all"
grep -q "systemctl enable --now datto-rmm-exporter" "$work/apt.log" || fail "postinst printed no next steps"
[ "$(in_root stat -c '%a %U' /etc/datto-rmm-exporter/credentials)" = "700 root" ] ||
  fail "credentials directory: $(in_root stat -c '%a %U' /etc/datto-rmm-exporter/credentials)"
ok "postinst: next steps printed, /etc/datto-rmm-exporter/credentials is root's, mode 0700"

stage "the installed exporter"
reported=$(in_root datto-rmm-exporter --version)
[[ "$reported" == *"version $version (revision $revision"* ]] || fail "--version says \"$reported\""
ok "$reported"
check_config() { in_root datto-rmm-exporter --config.file=/etc/datto-rmm-exporter/config.yaml --config.check; }
status=0
check_config >"$work/check-without.txt" 2>&1 || status=$?
[ $status -eq 2 ] && grep -q "$credentials/api-key" "$work/check-without.txt" ||
  fail "--config.check without credentials: status $status, $(cat "$work/check-without.txt")"
ok "without credentials: status 2, $(head -n1 "$work/check-without.txt")"
# What LoadCredential= gives the service at its start.
mkdir -p "$root$credentials"
printf 'key\n' >"$root$credentials/api-key"
printf 'secret\n' >"$root$credentials/api-secret"
check_config >"$work/check-with.txt" 2>&1 || fail "--config.check: $(cat "$work/check-with.txt")"
ok "with the credentials in $credentials: $(head -n1 "$work/check-with.txt")"

stage "the systemd unit"
in_root systemd-analyze verify "/usr/lib/systemd/system/$unit" >"$work/verify.txt" 2>&1 ||
  fail "systemd-analyze verify: $(cat "$work/verify.txt")"
[ ! -s "$work/verify.txt" ] || fail "systemd-analyze verify warns: $(cat "$work/verify.txt")"
ok "systemd-analyze verify $unit: no findings"
in_root systemd-analyze security --offline=yes "/usr/lib/systemd/system/$unit" >"$work/security.txt" 2>&1 ||
  fail "systemd-analyze security: $(tail -n 5 "$work/security.txt")"
exposure=$(sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+) .*/\1/p' "$work/security.txt")
[ -n "$exposure" ] || fail "no exposure level in: $(tail -n 3 "$work/security.txt")"
awk -v e="$exposure" -v max="${DRMM_SECURITY_MAX:-2.0}" 'BEGIN { exit !(e <= max) }' ||
  fail "systemd-analyze security: exposure $exposure above ${DRMM_SECURITY_MAX:-2.0}"
ok "systemd-analyze security: $(grep -o 'Overall exposure level.*' "$work/security.txt")"
[ "$(in_root systemctl is-enabled "$unit" 2>&1 || true)" = disabled ] ||
  fail "a fresh install enabled the unit: $(in_root systemctl is-enabled "$unit" 2>&1)"
ok "not enabled on a fresh install (it needs credentials first)"

stage "exporter polls the simulator"
start_in_root() {  # start_in_root OUT COMMAND...: as nobody, in its own process group
  local out=$1
  shift
  setsid chroot --userspec=65534:65534 "$root" "$@" >"$out" 2>&1 &
  process_groups+=($!)
}
start_in_root "$work/sim.log" datto-rmm-sim --port 0 --churn-per-minute 0 --sites 5 --devices 50 --alerts 20
wait_for 30 grep -q 'listening on' "$work/sim.log" || fail "the simulator did not start: $(cat "$work/sim.log")"
sim_port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/sim.log")
printf 'accounts:\n  - name: package-test\n    api_url: http://127.0.0.1:%s\n    api_key: demo-key\n    api_secret: demo-secret\n' \
  "$sim_port" >"$root/tmp/run-config.yaml"
chmod a+r "$root/tmp/run-config.yaml"
start_in_root "$work/exporter.log" datto-rmm-exporter --config.file=/tmp/run-config.yaml \
  --web.listen-address=127.0.0.1:0
wait_for 30 grep -qE 'started.* port=[0-9]+' "$work/exporter.log" || fail "the exporter did not start: $(cat "$work/exporter.log")"
exporter_port=$(sed -nE 's/.*started.* port=([0-9]+).*/\1/p' "$work/exporter.log" | head -n1)
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$exporter_port/-/ready")" = 200 ]; }
wait_for 60 ready || fail "/-/ready never answered 200: $(tail -n 20 "$work/exporter.log")"
curl -sf "http://127.0.0.1:$exporter_port/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
grep -q '^datto_rmm_up{account="package-test"} 1$' "$work/metrics.txt" ||
  fail "datto_rmm_up is not 1: $(grep '^datto_rmm_up' "$work/metrics.txt")"
ok "ready on 127.0.0.1:$exporter_port, datto_rmm_up 1, $(grep -c '^datto_rmm_site_info{' "$work/metrics.txt") sites exported"
stop_process_groups

stage "upgrade, remove, purge"
echo "# edited by the administrator" >>"$root/etc/datto-rmm-exporter/config.yaml"
in_root env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "/tmp/$(basename "$exporter_deb")" \
  >"$work/reinstall.log" 2>&1 || fail "reinstall: $(tail -n 10 "$work/reinstall.log")"
grep -q "edited by the administrator" "$root/etc/datto-rmm-exporter/config.yaml" ||
  fail "a reinstall overwrote the edited config.yaml"
! grep -q "systemctl enable --now" "$work/reinstall.log" || fail "an upgrade printed first-install steps"
ok "reinstall (an upgrade to dpkg) keeps the edited config.yaml"
printf 'key\n' >"$root/etc/datto-rmm-exporter/credentials/api-key"
in_root apt-get remove -y -q datto-rmm-exporter >"$work/remove.log" 2>&1 || fail "remove: $(tail -n 5 "$work/remove.log")"
[ ! -e "$root/usr/bin/datto-rmm-exporter" ] && [ ! -e "$root/usr/lib/systemd/system/$unit" ] ||
  fail "remove left the binary or the unit"
[ -f "$root/etc/datto-rmm-exporter/config.yaml" ] || fail "remove deleted config.yaml (a conffile stays until purge)"
ok "remove: binary and unit gone, config.yaml kept"
in_root apt-get purge -y -q datto-rmm-exporter >"$work/purge.log" 2>&1 || fail "purge: $(tail -n 5 "$work/purge.log")"
[ ! -e "$root/etc/datto-rmm-exporter" ] && [ ! -e "$root/etc/default/datto-rmm-exporter" ] ||
  fail "purge left $(ls -d "$root"/etc/datto-rmm-exporter* "$root/etc/default/datto-rmm-exporter" 2>/dev/null)"
ok "purge: configuration and credentials gone"
