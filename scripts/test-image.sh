#!/usr/bin/env bash
# Builds the container image from the Dockerfile and checks it, with no Docker engine: buildah
# (chroot isolation) builds it on Debian 13 base images bootstrapped here, with the unit tests
# built and run in the builder stage (DRMM_UNIT_TESTS=1), then runs the simulator and the
# exporter from the image on the host's loopback and compares a scrape with the simulator's
# ground truth (tests/tools/truth_check, the comparison the integration tests use). Also checks:
# .dockerignore keeps the build context to what the Dockerfile reads; the image runs as a fixed
# non-root uid, holds no compiler, every shared library resolves; its version label and
# --version equal CMake's project version; its HEALTHCHECK passes (and fails once the exporter
# is stopped); the exporter stops cleanly on SIGTERM; the deployment examples' configurations
# are valid for the image. Prints the image size, the time of each stage and "N passed, N
# failed"; exits non-zero on any failure. Needs root (buildah's chroot isolation, debootstrap).
#
# The base images are bootstrapped once and kept in buildah's store under the names the
# Dockerfile's FROM lines use (docker.io/library/debian:trixie and :trixie-slim);
# DRMM_IMAGE_REBOOTSTRAP=1 makes them anew.
#
# Environment:
#   DRMM_IMAGE              the tag to build (default localhost/datto-rmm-exporter:test)
#   DRMM_IMAGE_WORKDIR      build context, logs and scratch files (default build-image/)
#   DRMM_IMAGE_UNIT_TESTS=0 skip the unit tests in the builder stage (a quicker image build)
#   DRMM_IMAGE_LAYERS=1     keep and reuse buildah's layer cache (quicker reruns; the cache of
#                           every earlier source state stays in buildah's store). Default: every
#                           run builds from the base images, and only the newest image is kept.
#   BUILD_DIR               host build directory for truth_check (default build/; configured
#                           here when missing, and only truth_check is built)
#   JOBS=N                  parallel compile jobs inside the build (default: Ninja's)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
# shellcheck source=lib/debian-rootfs.sh
source scripts/lib/debian-rootfs.sh

image=${DRMM_IMAGE:-localhost/datto-rmm-exporter:test}
work=${DRMM_IMAGE_WORKDIR:-$repo/build-image}
build_dir=${BUILD_DIR:-build}
release=trixie
base_build=docker.io/library/debian:$release
base_run=docker.io/library/debian:$release-slim
run_uid=65532

# ---------------------------------------------------------------------------------------------
# Stages, timing, results and cleanup of everything started, also on failure

# shellcheck source=lib/checks.sh
source scripts/lib/checks.sh test-image

containers=() mounted=() rootfs=""
cleanup() {
  local status=$? ctr
  trap - EXIT INT TERM
  stop_process_groups
  for ctr in "${mounted[@]}"; do buildah umount "$ctr" >/dev/null 2>&1 || true; done
  for ctr in "${containers[@]}"; do buildah rm "$ctr" >/dev/null 2>&1 || true; done
  [ -z "$rootfs" ] || remove_rootfs "$rootfs"
  print_result $status "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# new_container VAR: a working container from the image, its id in VAR; removed on exit. (Not
# called as $(...): the id must reach this shell's cleanup list, not a subshell's.)
new_container() {
  local id
  id=$(buildah from --pull=never --quiet "$image")
  containers+=("$id")
  printf -v "$1" '%s' "$id"
}
# in_image [buildah run options] CONTAINER -- COMMAND...: on the host's network.
in_image() { buildah run --isolation=chroot --network=host "$@"; }
# start_in_image OUT ERR [buildah run options] CONTAINER -- COMMAND...: in the background, in
# its own process group (signalled as a whole on exit); sets $started_pid.
start_in_image() {
  local out=$1 err=$2
  shift 2
  : >"$out"
  : >"$err"
  setsid buildah run --isolation=chroot --network=host "$@" >"$out" 2>"$err" &
  started_pid=$!
  process_groups+=("$started_pid")
}
# The TCP port a process of process group $1 listens on (fails while there is none).
group_listen_port() {
  local port pid
  while read -r port pid; do
    [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$1" ] && { echo "$port"; return 0; }
  done < <(ss -Hltnp | sed -nE 's/^\S+\s+\S+\s+\S+\s+\S*:([0-9]+)\s.*pid=([0-9]+),.*/\1 \2/p')
  return 1
}
# The pid listening on a TCP port (under chroot isolation the image's binaries are host processes).
listener_pid() { ss -Hltnp "sport = :$1" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n1; }

# Imports a root file system directory as the image `name`.
import_rootfs() {
  local root=$1 name=$2 ctr
  tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
  ctr=$(buildah from scratch)
  containers+=("$ctr")
  buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
  buildah config --cmd '["bash"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --label "org.opencontainers.image.description=Debian $release (debootstrap --variant=minbase, made by scripts/test-image.sh)" \
    "$ctr"
  buildah commit --quiet --rm "$ctr" "$name" >/dev/null
  rm -f "$work/rootfs.tar"
}
# What Debian's -slim images leave out: documentation (copyrights kept), manual pages, locales.
slim_rootfs() {
  local root=$1
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' \
    'path-exclude /usr/share/lintian/overrides/*' >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/usr/share/man/* \
    "$root"/usr/share/groff/* "$root"/usr/share/lintian/overrides/*
}
has_image() { buildah images --quiet "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || fail "needs root (buildah chroot isolation, debootstrap)"
mkdir -p "$work"

stage "tools (install-deps.sh)"
DRMM_WITH_IMAGE_TOOLS=1 scripts/install-deps.sh
for tool in buildah debootstrap jq curl ss setsid promtool cmake; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done
buildah --version

stage "truth_check (host build)"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" -G Ninja >"$work/cmake.log" 2>&1 || fail "cmake (log: $work/cmake.log)"
fi
cmake --build "$build_dir" --target truth_check >"$work/truth-check-build.log" 2>&1 ||
  fail "building truth_check (log: $work/truth-check-build.log)"
truth_check=$build_dir/bin/truth_check
ok "$truth_check"

stage "base images (debootstrap $release)"
if [ "${DRMM_IMAGE_REBOOTSTRAP:-0}" != 1 ] && has_image "$base_build" && has_image "$base_run"; then
  ok "already in buildah's store; not bootstrapped again"
else
  old_bases=$({ buildah images --quiet "$base_build"; buildah images --quiet "$base_run"; } 2>/dev/null || true)
  rootfs=$(mktemp -d "$work/rootfs.XXXXXX")
  chmod 0755 "$rootfs"  # becomes the image's /
  bootstrap_rootfs "$rootfs" "$release" "$work/debootstrap.log" || fail "debootstrap $release"
  rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
  import_rootfs "$rootfs" "$base_build"
  slim_rootfs "$rootfs"
  import_rootfs "$rootfs" "$base_run"
  remove_rootfs "$rootfs"
  rootfs=""
  for id in $old_bases; do buildah rmi "$id" >/dev/null 2>&1 || true; done
  ok "bootstrapped and imported"
fi
buildah images --filter reference=docker.io/library/debian

stage "build context"
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version=$(sed -nE 's/^project\([^)]*VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || fail "no VERSION in CMakeLists.txt's project()"
context="$work/context"
rm -rf "$context"
mkdir -p "$context"
# Tracked and untracked-but-not-ignored files as they are in the working tree.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
  tar --null -T - -cf - | tar -C "$context" -xf -
echo "  revision $revision, version $version, $(find "$context" -type f | wc -l) files"
# What .dockerignore lets through: copy the whole context into a throwaway image and list it.
printf 'FROM %s\nCOPY . /context\nRUN cd /context && find . -mindepth 1 -maxdepth 2 -printf "in context: %%P\\n"\n' \
  "$base_run" >"$work/context-probe.Dockerfile"
buildah bud --isolation=chroot --pull=never --layers=false --iidfile "$work/context-probe.id" \
  -f "$work/context-probe.Dockerfile" "$context" >"$work/context-probe.log" 2>&1 ||
  fail "context probe build: $(tail -n 20 "$work/context-probe.log")"
buildah rmi "$(cat "$work/context-probe.id")" >/dev/null
in_context=$(sed -n 's/^in context: //p' "$work/context-probe.log" | grep -v / |
  LC_ALL=C sort | paste -sd' ')
expected_context="CMakeLists.txt cmake config.example.yaml dashboards docs rules scripts src tests"
[ "$in_context" = "$expected_context" ] || fail ".dockerignore lets through: $in_context"
in_scripts=$(sed -n 's|^in context: scripts/||p' "$work/context-probe.log" | paste -sd' ')
[ "$in_scripts" = "install-deps.sh" ] || fail ".dockerignore lets through scripts/$in_scripts"
ok ".dockerignore lets only $in_context (scripts/: $in_scripts) into the build"

stage "image build (buildah bud)"
previous_image=$(buildah images --quiet "$image" 2>/dev/null || true)
unit_tests=${DRMM_IMAGE_UNIT_TESTS:-1}
bud_args=(--isolation=chroot --format docker --pull=never
  --build-arg "DRMM_REVISION=$revision" --build-arg "DRMM_VERSION=$version"
  --build-arg "DRMM_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  --build-arg "DRMM_UNIT_TESTS=$unit_tests" --build-arg "DRMM_WERROR=ON"
  # The hostile-client tests hold 1,100 connections; buildah's default limit is 1,024 files.
  --ulimit nofile=4096:4096)
[ -n "${JOBS:-}" ] && bud_args+=(--build-arg "BUILD_JOBS=$JOBS")
if [ "${DRMM_IMAGE_LAYERS:-0}" = 1 ]; then bud_args+=(--layers); else bud_args+=(--layers=false); fi
buildah bud "${bud_args[@]}" -f "$context/Dockerfile" -t "$image" "$context" \
  >"$work/bud.log" 2>&1 || { tail -n 40 "$work/bud.log" >&2; fail "buildah bud (log: $work/bud.log)"; }
ok "built $image (log: $work/bud.log)"
if [ "$unit_tests" = 1 ]; then
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$work/bud.log" | tail -n1)
  [[ "$summary" == "100% tests passed, 0 tests failed out of "* ]] ||
    fail "unit tests on Debian $release: \"${summary:-no ctest summary}\" (log: $work/bud.log)"
  ok "unit tests on Debian $release (builder stage, -Werror): $summary"
fi
if [ -n "$previous_image" ] && [ "$previous_image" != "$(buildah images --quiet "$image")" ]; then
  buildah rmi "$previous_image" >/dev/null 2>&1 || true
fi

stage "image configuration"
buildah inspect --type image "$image" >"$work/inspect.json"
config() { jq -c "$1" "$work/inspect.json"; }
[ "$(config '.Docker.config.User')" = "\"$run_uid:$run_uid\"" ] ||
  fail "User is $(config '.Docker.config.User'), expected $run_uid:$run_uid"
ok "User $run_uid:$run_uid (non-root, numeric)"
[ "$(config '.Docker.config.ExposedPorts | keys')" = '["9768/tcp"]' ] || fail "exposed: $(config '.Docker.config.ExposedPorts')"
ok "EXPOSE 9768/tcp"
[ "$(config '.Docker.config.Entrypoint')" = '["/usr/local/bin/datto-rmm-exporter"]' ] &&
  [ "$(config '.Docker.config.Cmd')" = '["--config.file=/etc/datto-rmm-exporter/config.yaml"]' ] ||
  fail "Entrypoint $(config '.Docker.config.Entrypoint'), Cmd $(config '.Docker.config.Cmd')"
ok "Entrypoint $(config '.Docker.config.Entrypoint'), Cmd $(config '.Docker.config.Cmd')"
mapfile -t healthcheck < <(jq -r '.Docker.config.Healthcheck.Test // [] | .[]' "$work/inspect.json")
[ "${healthcheck[*]:-}" = "CMD /usr/local/bin/datto-rmm-exporter --healthcheck" ] ||
  fail "HEALTHCHECK is \"${healthcheck[*]:-none}\""
ok "HEALTHCHECK ${healthcheck[*]}"
label() { jq -r --arg l "org.opencontainers.image.$1" '.Docker.config.Labels[$l] // ""' "$work/inspect.json"; }
[ "$(label revision)" = "$revision" ] || fail "revision label \"$(label revision)\", expected $revision"
[ "$(label version)" = "$version" ] || fail "version label \"$(label version)\", expected $version"
[ "$(label base.name)" = "$base_run" ] || fail "base.name label \"$(label base.name)\""
ok "OCI labels: version $version, revision $revision, base $(label base.name), licence $(label licenses)"

stage "image contents"
new_container ctr
mnt=$(buildah mount "$ctr")
mounted+=("$ctr")
compilers=$( {
  find "$mnt/usr/local/bin" "$mnt/usr/bin" "$mnt/usr/sbin" -regextype posix-extended \
    -regex '.*/(gcc|g\+\+|cc|c\+\+|clang|clang\+\+|cpp)(-[0-9.]+)?|.*-linux-gnu-(gcc|g\+\+|cpp).*'
  find "$mnt/usr/lib" "$mnt/usr/libexec" -name 'cc1*'
} 2>/dev/null | sed "s|^$mnt||" | paste -sd' ')
[ -z "$compilers" ] || fail "compiler files in the runtime image: $compilers"
build_packages=$(dpkg-query --admindir="$mnt/var/lib/dpkg" -W -f '${Package}\n' |
  grep -E '^(gcc|g\+\+|cpp|clang|build-essential)(-[0-9.]+)?$|-dev$' | paste -sd' ' || true)
[ -z "$build_packages" ] || fail "build packages in the runtime image: $build_packages"
ok "no compiler, no cc1*, no -dev package ($(dpkg-query --admindir="$mnt/var/lib/dpkg" -W | wc -l) packages)"
grep -q "^VERSION_CODENAME=$release$" "$mnt/etc/os-release" || fail "the image is not Debian $release"
ok "Debian $(sed -n 's/^VERSION=//p' "$mnt/etc/os-release")"
ca_count=$(grep -c 'BEGIN CERTIFICATE' "$mnt/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true)
[ "${ca_count:-0}" -gt 100 ] || fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt"
ok "CA bundle with $ca_count certificates"
buildah umount "$ctr" >/dev/null
mounted=()
for bin in datto-rmm-exporter datto-rmm-sim; do
  in_image "$ctr" -- ldd "/usr/local/bin/$bin" >"$work/ldd-$bin.txt" 2>&1 || fail "ldd $bin: $(cat "$work/ldd-$bin.txt")"
  ! grep -q 'not found' "$work/ldd-$bin.txt" || fail "unresolved libraries of $bin: $(grep 'not found' "$work/ldd-$bin.txt")"
  ok "ldd $bin: $(grep -c '=>' "$work/ldd-$bin.txt") libraries, all found"
done
reported_version=$(in_image "$ctr" -- datto-rmm-exporter --version)
[[ "$reported_version" == *"version $version (revision $revision"* ]] || fail "--version says \"$reported_version\""
ok "$reported_version"
[ "$(in_image "$ctr" -- id -u)" = "$run_uid" ] || fail "buildah run does not run as uid $run_uid"
ok "commands in the image run as uid $run_uid"

stage "deployment configurations"
secrets="$work/secrets"
rm -rf "$secrets"
mkdir -p "$secrets/compose" "$secrets/kubernetes"
printf 'check-key\n' | tee "$secrets/compose/datto_rmm_api_key" >"$secrets/kubernetes/api-key"
printf 'check-secret\n' | tee "$secrets/compose/datto_rmm_api_secret" >"$secrets/kubernetes/api-secret"
chmod -R a+rX "$secrets"
check_config() {  # check_config NAME [buildah run options...]
  local name=$1
  shift
  in_image "$@" "$ctr" -- datto-rmm-exporter --config.file=/etc/datto-rmm-exporter/config.yaml \
    --config.check >"$work/config-check.txt" 2>&1 || fail "$name: $(cat "$work/config-check.txt")"
  ok "$name: $(head -n1 "$work/config-check.txt")"
}
config_mount() { echo "$repo/$1:/etc/datto-rmm-exporter/config.yaml:ro"; }
# The image's own configuration, and the examples' mounted over it with their secrets where the
# Compose file and the Kubernetes manifests mount them.
check_config "the image's own configuration"
check_config deploy/compose/exporter/simulator.yaml -v "$(config_mount deploy/compose/exporter/simulator.yaml)"
check_config deploy/compose/exporter/account.yaml -v "$(config_mount deploy/compose/exporter/account.yaml)" \
  -v "$secrets/compose/datto_rmm_api_key:/run/secrets/datto_rmm_api_key:ro" \
  -v "$secrets/compose/datto_rmm_api_secret:/run/secrets/datto_rmm_api_secret:ro"
check_config deploy/kubernetes/exporter/config.yaml -v "$(config_mount deploy/kubernetes/exporter/config.yaml)" \
  -v "$secrets/kubernetes:/run/secrets/datto-rmm:ro"
for f in deploy/compose/prometheus/prometheus.yml deploy/kubernetes/sidecar/prometheus.yml; do
  promtool check config --syntax-only "$f" >"$work/promtool.txt" 2>&1 || fail "$f: $(cat "$work/promtool.txt")"
  ok "$f: promtool check config"
done

stage "start simulator and exporter"
new_container sim_ctr
new_container exporter_ctr
# A frozen account (no churn) several pages long, on a free port the simulator picks.
start_in_image "$work/sim.out" "$work/sim.log" "$sim_ctr" -- \
  datto-rmm-sim --port 0 --churn-per-minute 0 --sites 30 --devices 700 --alerts 320
wait_for 30 grep -q 'listening on' "$work/sim.out" || fail "the simulator did not start: $(cat "$work/sim.log")"
sim_port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/sim.out")
[ -n "$sim_port" ] || fail "no port in \"$(cat "$work/sim.out")\""
ok "simulator on 127.0.0.1:$sim_port"
# The configuration at the documented path, the API key from a file (as a Docker or Kubernetes
# secret) and the secret from the environment.
printf 'accounts:\n  - name: image-test\n    api_url: http://127.0.0.1:%s\n    api_key_file: /run/secrets/datto_rmm_api_key\n' \
  "$sim_port" >"$work/run-config.yaml"
printf 'demo-key\n' >"$secrets/demo_key"
chmod a+r "$work/run-config.yaml" "$secrets/demo_key"
start_in_image "$work/exporter.out" "$work/exporter.log" \
  -v "$work/run-config.yaml:/etc/datto-rmm-exporter/config.yaml:ro" \
  -v "$secrets/demo_key:/run/secrets/datto_rmm_api_key:ro" -e DATTO_RMM_API_SECRET=demo-secret \
  "$exporter_ctr" -- datto-rmm-exporter --config.file=/etc/datto-rmm-exporter/config.yaml \
  --web.listen-address=127.0.0.1:0
exporter_group=$started_pid
exporter_listening() {
  kill -0 "$exporter_group" 2>/dev/null || fail "the exporter exited: $(cat "$work/exporter.log")"
  exporter_port=$(group_listen_port "$exporter_group")
}
wait_for 30 exporter_listening || fail "the exporter did not listen: $(cat "$work/exporter.log")"
ok "exporter on 127.0.0.1:$exporter_port"
exporter_url=http://127.0.0.1:$exporter_port
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$exporter_url/-/ready")" = 200 ]; }
wait_for 90 ready || fail "/-/ready never answered 200: $(tail -n 20 "$work/exporter.log")"
ok "/-/ready 200 (every collector polled once)"

stage "scrape vs ground truth"
# Under chroot isolation the binaries are host processes: their real, effective, saved and
# file-system ids are in /proc.
for port in "$exporter_port" "$sim_port"; do
  pid=$(listener_pid "$port")
  [ -n "$pid" ] || fail "no process listens on $port"
  command_line=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  for ids in Uid Gid; do
    actual=$(awk -v ids="$ids:" '$1 == ids {print $2, $3, $4, $5}' "/proc/$pid/status")
    [ "$actual" = "$run_uid $run_uid $run_uid $run_uid" ] || fail "$command_line: $ids $actual"
  done
  ok "${command_line%% *} (pid $pid) runs as uid and gid $run_uid"
done
curl -sf "$exporter_url/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
curl -sf "http://127.0.0.1:$sim_port/__sim/ground-truth" >"$work/ground-truth.json" ||
  fail "GET /__sim/ground-truth failed"
"$truth_check" --account=image-test --version="$version" --revision="$revision" \
  --metrics="$work/metrics.txt" --ground-truth="$work/ground-truth.json" >"$work/truth-check.txt" 2>&1 ||
  { head -n 40 "$work/truth-check.txt" >&2; fail "the scrape differs from the ground truth ($work/truth-check.txt)"; }
ok "$(tail -n1 "$work/truth-check.txt") ($(grep -vc '^#' "$work/metrics.txt") samples scraped)"

# The image's own HEALTHCHECK command, pointed at the test's port; then SIGTERM to the exporter
# (stops within 5 s with status 0, which buildah run returns); then the same check must fail.
in_image "$exporter_ctr" -- "${healthcheck[@]:1}" --web.listen-address="127.0.0.1:$exporter_port" \
  >"$work/healthcheck.txt" 2>&1 || fail "HEALTHCHECK failed: $(cat "$work/healthcheck.txt")"
ok "HEALTHCHECK inside the image: $(head -n1 "$work/healthcheck.txt")"
kill -TERM "$(listener_pid "$exporter_port")"
for _ in $(seq 50); do kill -0 "$exporter_group" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$exporter_group" 2>/dev/null || fail "the exporter did not stop within 5 s of SIGTERM"
exporter_status=0
wait "$exporter_group" || exporter_status=$?
[ "$exporter_status" -eq 0 ] || fail "the exporter exited with status $exporter_status on SIGTERM"
ok "SIGTERM: the exporter stopped with status 0"
if in_image "$exporter_ctr" -- "${healthcheck[@]:1}" --web.listen-address="127.0.0.1:$exporter_port" \
  >"$work/healthcheck-stopped.txt" 2>&1; then
  fail "HEALTHCHECK passed with the exporter stopped: $(cat "$work/healthcheck-stopped.txt")"
fi
ok "HEALTHCHECK fails with the exporter stopped: $(head -n1 "$work/healthcheck-stopped.txt")"

stage "image size"
# Uncompressed, as `docker images` shows it, and compressed, as a registry stores it and a pull
# transfers it: the layers written out as an OCI layout (gzip).
rm -rf "$work/oci"
buildah push --quiet "$image" "oci:$work/oci" >/dev/null
manifest=$work/oci/blobs/$(jq -r '.manifests[0].digest | sub(":"; "/")' "$work/oci/index.json")
base_layers=$(buildah inspect --type image "$base_run" | jq '.OCIv1.rootfs.diff_ids | length')
n=0 total_gz=0 total_raw=0 base_gz=0 base_raw=0
for digest in $(jq -r '.layers[].digest | sub(":"; "/")' "$manifest"); do
  gz=$(stat -c %s "$work/oci/blobs/$digest")
  raw=$(gzip -dc "$work/oci/blobs/$digest" | wc -c)
  total_gz=$((total_gz + gz)) total_raw=$((total_raw + raw)) n=$((n + 1))
  [ "$n" -gt "$base_layers" ] || { base_gz=$((base_gz + gz)); base_raw=$((base_raw + raw)); }
done
rm -rf "$work/oci"
awk -v raw="$total_raw" -v gz="$total_gz" -v braw="$base_raw" -v bgz="$base_gz" -v base="debian:$release-slim" 'BEGIN {
  printf "  image:                   %6.1f MB uncompressed, %5.1f MB compressed\n", raw / 1e6, gz / 1e6
  printf "  %-24s %6.1f MB uncompressed, %5.1f MB compressed\n", base ":", braw / 1e6, bgz / 1e6
  printf "  added by the Dockerfile: %6.1f MB uncompressed, %5.1f MB compressed\n", (raw - braw) / 1e6, (gz - bgz) / 1e6
}'
buildah images "$image"
