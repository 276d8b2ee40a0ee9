#!/usr/bin/env bash
# Builds the container image from the Dockerfile and checks it, with no Docker engine: buildah
# (chroot isolation) builds it on Debian base images bootstrapped here with debootstrap, then
# runs the simulator and the exporter from the image on the host's loopback and checks that a
# scrape of /metrics returns the simulator's ground truth. Also checks: .dockerignore keeps the
# build context to what the Dockerfile needs; the image runs as a fixed non-root uid (in its
# config and in the running process), holds no compiler, and every shared library resolves
# (ldd); the image's HEALTHCHECK command passes inside it (and fails once the exporter is
# stopped); the exporter stops cleanly on SIGTERM; the deployment examples' configurations are
# valid for the image. Prints the image size, the time of each stage and "N passed, N failed";
# exits non-zero on any failure. Needs root (buildah's chroot isolation, debootstrap).
#
# The base images are bootstrapped once and kept in buildah's store under the names the
# Dockerfile's FROM lines use (docker.io/library/debian:bookworm and :bookworm-slim); a run that
# finds them there skips the bootstrap. DRMM_IMAGE_REBOOTSTRAP=1 makes them anew.
#
# Environment:
#   DRMM_IMAGE            the tag to build (default localhost/datto-rmm-exporter:test)
#   DRMM_IMAGE_WORKDIR    build context, logs and scratch files (default build-image/)
#   DRMM_IMAGE_LAYERS=1   keep and reuse buildah's layer cache (quicker reruns; the cache of
#                         every earlier source state stays in buildah's store). Default: every
#                         run builds from the base images, and only the newest image is kept.
#   JOBS=N                parallel compile jobs inside the build (default: Ninja's)
#
# The ground-truth check uses jq (installed by scripts/install-deps.sh with
# DRMM_WITH_IMAGE_TOOLS=1) and awk: it runs on the host after the image is built, and needs no
# host build of the project, so this script stands alone.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

image=${DRMM_IMAGE:-localhost/datto-rmm-exporter:test}
work=${DRMM_IMAGE_WORKDIR:-$repo/build-image}
base_build=docker.io/library/debian:bookworm
base_run=docker.io/library/debian:bookworm-slim
release=bookworm
run_uid=65532

# ---------------------------------------------------------------------------------------------
# Stages, timing and failure reporting

script_started=$(date +%s)
stage_names=()
stage_seconds=()
current_stage=""
current_started=0

end_stage() {
  [ -n "$current_stage" ] || return 0
  stage_names+=("$current_stage")
  stage_seconds+=($(($(date +%s) - current_started)))
  current_stage=""
}
stage() {
  end_stage
  current_stage=$1
  current_started=$(date +%s)
  printf '\n=== %s\n' "$1"
}
print_times() {
  end_stage
  printf '\n%-32s %6s\n' "stage" "time"
  local i
  for i in "${!stage_names[@]}"; do
    printf '%-32s %5ds\n' "${stage_names[$i]}" "${stage_seconds[$i]}"
  done
  printf '%-32s %5ds\n' "total" $(($(date +%s) - script_started))
}
fail() {
  echo "test-image: FAIL: $*" >&2
  exit 1
}
passed=0
ok() {
  passed=$((passed + 1))
  echo "  ok: $*"
}

# ---------------------------------------------------------------------------------------------
# Cleanup: every process and working container this script started, also on failure

containers=()
ctr="" sim_ctr="" exporter_ctr=""
process_groups=()
mounted=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pg ctr
  for pg in "${process_groups[@]}"; do
    kill -TERM -- "-$pg" 2>/dev/null || true
  done
  for pg in "${process_groups[@]}"; do
    for _ in $(seq 50); do
      kill -0 -- "-$pg" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pg" 2>/dev/null || true
  done
  for ctr in "${mounted[@]}"; do
    buildah umount "$ctr" >/dev/null 2>&1 || true
  done
  for ctr in "${containers[@]}"; do
    buildah rm "$ctr" >/dev/null 2>&1 || true
  done
  [ -z "${rootfs:-}" ] || remove_rootfs "$rootfs"
  print_times
  [ $status -eq 0 ] || echo "test-image: FAILED (exit $status); logs in $work" >&2
  echo "test-image: $passed passed, $([ $status -eq 0 ] && echo 0 || echo 1) failed"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Removes a bootstrap directory. A debootstrap that was killed can leave /proc, /sys or /dev
# mounted inside it: unmount those first, and never delete through a mount.
remove_rootfs() {
  local root=$1 mount_point
  awk -v root="$root/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r |
    while read -r mount_point; do umount "$mount_point" || true; done
  if awk -v root="$root/" 'index($2, root) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    echo "test-image: $root still has mounts; not removed" >&2
    return 0
  fi
  rm -rf --one-file-system "$root"
}

# new_container VAR: a working container from the image, its id in VAR; removed on exit. (Not
# called as $(...): the id must reach the cleanup list of this shell, not of a subshell.)
new_container() {
  local id
  id=$(buildah from --pull=never --quiet "$image")
  containers+=("$id")
  printf -v "$1" '%s' "$id"
}

# Runs a command inside a working container, on the host's network (loopback included):
# in_image [buildah run options] CONTAINER -- COMMAND...
in_image() {
  buildah run --isolation=chroot --network=host "$@"
}

# Starts `buildah run` in its own process group (so that everything under it can be signalled
# at once) in the background; sets $started_pid.
start_in_image() {
  local out=$1 err=$2
  shift 2
  # Emptied here, not by the background job's redirection, which may run after the caller
  # has already looked into a previous run's file.
  : >"$out"
  : >"$err"
  setsid buildah run --isolation=chroot --network=host "$@" >"$out" 2>"$err" &
  started_pid=$!
  process_groups+=("$started_pid")
}

# The TCP port on which a process of process group $1 listens (fails while there is none).
group_listen_port() {
  local port pid
  while read -r port pid; do
    if [ "$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$1" ]; then
      echo "$port"
      return 0
    fi
  done < <(ss -Hltnp | sed -nE 's/^\S+\s+\S+\s+\S+\s+\S*:([0-9]+)\s.*pid=([0-9]+),.*/\1 \2/p')
  return 1
}

# The pid of the process listening on a TCP port on the host (the binary inside the image:
# with chroot isolation it is a host process like any other).
listener_pid() {
  ss -Hltnp "sport = :$1" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n1
}

wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.2 s until COMMAND succeeds
  local seconds=$1
  shift
  local deadline=$(($(date +%s) + seconds))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# The Debian mirror: the one the machine's apt sources name

# Prints the first URI that the machine's apt sources give for a suite (deb822 *.sources or
# one-line sources.list / *.list).
apt_uri_for_suite() {
  local suite=$1 f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""; types = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
          else if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = " " line " " }
          else if (line ~ /^Types:/) { sub(/^Types:[ \t]*/, "", line); types = " " line " " }
          else if (line ~ /^Enabled:/) { sub(/^Enabled:[ \t]*/, "", line); enabled = tolower(line) }
        }
        if (enabled != "no" && types ~ / deb / && index(suites, " " suite " ") > 0) {
          split(uris, u, /[ \t]+/); print u[1]; exit
        }
      }' "$f"
  done
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    awk -v suite="$suite" '
      $1 == "deb" {
        i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }'
}

# Writes the base images' apt sources (deb822, as Debian's official images do) and the
# container-friendly apt and dpkg settings of the official images.
configure_rootfs() {
  local root=$1 mirror=$2 updates=$3 security=$4
  rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s' "$mirror" "$release"
    [ -n "$updates" ] && [ "$updates" = "$mirror" ] && printf ' %s-updates' "$release"
    printf '\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [ -n "$updates" ] && [ "$updates" != "$mirror" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-updates\nComponents: main\n' "$updates" "$release"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$security" "$release"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  printf '#!/bin/sh\n# No daemons start while an image is built.\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/log/bootstrap.log \
    "$root/etc/resolv.conf" "$root/etc/hostname"
  mkdir -p "$root/var/lib/apt/lists/partial"
}

# What Debian's -slim images leave out: documentation (copyrights kept), manual pages, locales.
slim_rootfs() {
  local root=$1
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
EOF
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/info/* "$root"/usr/share/linda/* "$root"/usr/share/lintian/overrides/* \
    "$root"/usr/share/locale/* "$root"/usr/share/man/* "$root"/usr/share/groff/*
}

# Imports a root filesystem directory as an image under `name`.
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

has_image() { buildah images --quiet "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || fail "needs root (buildah chroot isolation, debootstrap)"
mkdir -p "$work"

stage "tools (install-deps.sh)"
DRMM_WITH_IMAGE_TOOLS=1 scripts/install-deps.sh
for tool in buildah debootstrap jq curl ss setsid promtool; do
  command -v "$tool" >/dev/null || fail "$tool is missing"
done
buildah --version

stage "base images (debootstrap)"
if [ "${DRMM_IMAGE_REBOOTSTRAP:-0}" != 1 ] && has_image "$base_build" && has_image "$base_run"; then
  ok "already in buildah's store; not bootstrapped again"
else
  mirror=$(apt_uri_for_suite "$release" | head -n1)
  [ -n "$mirror" ] || fail "no apt source for $release in /etc/apt/sources.list{,.d}"
  updates=$(apt_uri_for_suite "$release-updates" | head -n1)
  security=$(apt_uri_for_suite "$release-security" | head -n1)
  echo "  mirror $mirror (updates: ${updates:-none}, security: ${security:-none})"
  include=()
  case "$mirror$updates$security" in *https:*) include=(--include=ca-certificates) ;; esac
  old_bases=$({ buildah images --quiet "$base_build"; buildah images --quiet "$base_run"; } 2>/dev/null || true)
  rootfs=$(mktemp -d "$work/rootfs.XXXXXX")
  chmod 0755 "$rootfs"  # becomes the image's /
  debootstrap --variant=minbase "${include[@]}" "$release" "$rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
  configure_rootfs "$rootfs" "$mirror" "$updates" "$security"
  import_rootfs "$rootfs" "$base_build"
  slim_rootfs "$rootfs"
  import_rootfs "$rootfs" "$base_run"
  remove_rootfs "$rootfs"
  rootfs=""
  # Base images made by an earlier bootstrap are untagged now.
  for id in $old_bases; do buildah rmi "$id" >/dev/null 2>&1 || true; done
  ok "bootstrapped and imported"
fi
buildah images --filter reference=docker.io/library/debian

stage "build context"
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
version=$(sed -nE 's/^project\([^)]*VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)
context="$work/context"
rm -rf "$context"
mkdir -p "$context"
# Tracked and untracked-but-not-ignored files as they are in the working tree: build
# directories, .git and anything else ignored never reach the context.
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
  tar --null -T - -cf - | tar -C "$context" -xf -
echo "  revision $revision, version $version, $(find "$context" -type f | wc -l) files"
# What .dockerignore lets through to a build: copy the whole context into a throwaway image.
printf 'FROM %s\nCOPY . /context\nRUN find /context -mindepth 1 -maxdepth 1 -printf "in context: %%f\\n"\n' \
  "$base_run" >"$work/context-probe.Dockerfile"
buildah bud --isolation=chroot --pull=never --layers=false --iidfile "$work/context-probe.id" \
  -f "$work/context-probe.Dockerfile" "$context" >"$work/context-probe.log" 2>&1 ||
  fail "context probe build: $(tail -n 20 "$work/context-probe.log")"
buildah rmi "$(cat "$work/context-probe.id")" >/dev/null
in_context=$(sed -n 's/^in context: //p' "$work/context-probe.log" | LC_ALL=C sort | paste -sd' ')
[ "$in_context" = "CMakeLists.txt cmake config.example.yaml src" ] ||
  fail ".dockerignore lets through: $in_context"
ok ".dockerignore lets only $in_context into the build"

stage "image build (buildah bud)"
previous_image=$(buildah images --quiet "$image" 2>/dev/null || true)
bud_args=(--isolation=chroot --format docker --pull=never
  --build-arg "DRMM_REVISION=$revision" --build-arg "DRMM_VERSION=$version"
  --build-arg "DRMM_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)")
[ -n "${JOBS:-}" ] && bud_args+=(--build-arg "BUILD_JOBS=$JOBS")
if [ "${DRMM_IMAGE_LAYERS:-0}" = 1 ]; then bud_args+=(--layers); else bud_args+=(--layers=false); fi
buildah bud "${bud_args[@]}" -f "$context/Dockerfile" -t "$image" "$context" \
  >"$work/bud.log" 2>&1 || { tail -n 40 "$work/bud.log" >&2; fail "buildah bud (log: $work/bud.log)"; }
ok "built $image (log: $work/bud.log)"
# The image this tag named before is untagged now: drop it (unless a container still uses it).
if [ -n "$previous_image" ] && [ "$previous_image" != "$(buildah images --quiet "$image")" ]; then
  buildah rmi "$previous_image" >/dev/null 2>&1 || true
fi

stage "image configuration"
buildah inspect --type image "$image" >"$work/inspect.json"
config_user=$(jq -r '.Docker.config.User // ""' "$work/inspect.json")
[ "$config_user" = "$run_uid:$run_uid" ] || fail "User is \"$config_user\", expected $run_uid:$run_uid"
ok "User $config_user (non-root, numeric)"
jq -e '.Docker.config.ExposedPorts | has("9768/tcp")' "$work/inspect.json" >/dev/null ||
  fail "9768/tcp is not exposed"
ok "EXPOSE 9768/tcp"
entrypoint=$(jq -c '.Docker.config.Entrypoint' "$work/inspect.json")
[ "$entrypoint" = '["/usr/local/bin/datto-rmm-exporter"]' ] || fail "Entrypoint is $entrypoint"
cmd=$(jq -c '.Docker.config.Cmd' "$work/inspect.json")
[ "$cmd" = '["--config.file=/etc/datto-rmm-exporter/config.yaml"]' ] || fail "Cmd is $cmd"
ok "Entrypoint $entrypoint, Cmd $cmd"
mapfile -t healthcheck < <(jq -r '.Docker.config.Healthcheck.Test // [] | .[]' "$work/inspect.json")
[ "${healthcheck[*]:-}" = "CMD /usr/local/bin/datto-rmm-exporter --healthcheck" ] ||
  fail "HEALTHCHECK is \"${healthcheck[*]:-none}\""
ok "HEALTHCHECK ${healthcheck[*]}"
label_revision=$(jq -r '.Docker.config.Labels["org.opencontainers.image.revision"] // ""' "$work/inspect.json")
[ "$label_revision" = "$revision" ] || fail "revision label \"$label_revision\", expected $revision"
ok "OCI labels (revision $label_revision)"

stage "image contents"
new_container ctr
mnt=$(buildah mount "$ctr")
mounted+=("$ctr")
compilers=()
for dir in usr/local/bin usr/local/sbin usr/bin usr/sbin bin sbin; do
  for name in gcc g++ cc c++ clang clang++ cpp; do
    for f in "$mnt/$dir/$name" "$mnt/$dir/$name"-[0-9]* "$mnt/$dir"/*-linux-gnu-"$name"*; do
      [ -e "$f" ] || [ -L "$f" ] && compilers+=("${f#"$mnt"}")
    done
  done
done
mapfile -t -O ${#compilers[@]} compilers < <(find "$mnt/usr/lib" "$mnt/usr/libexec" -name 'cc1*' 2>/dev/null)
compiler_packages=$(dpkg-query --admindir="$mnt/var/lib/dpkg" -W -f '${Package}\n' |
  grep -E '^(gcc(-[0-9]+)?|g\+\+(-[0-9]+)?|cpp(-[0-9]+)?|clang.*|build-essential|.*-dev)$' || true)
[ ${#compilers[@]} -eq 0 ] || fail "compiler files in the runtime image: ${compilers[*]}"
[ -z "$compiler_packages" ] || fail "build packages in the runtime image: $compiler_packages"
ok "no gcc/g++/cc/c++/clang/cpp, no cc1*, no -dev packages ($(dpkg-query --admindir="$mnt/var/lib/dpkg" -W | wc -l) packages)"
# The Datto API is HTTPS with certificate verification: the system trust store must be there.
ca_count=$(grep -c 'BEGIN CERTIFICATE' "$mnt/etc/ssl/certs/ca-certificates.crt" 2>/dev/null || true)
[ "${ca_count:-0}" -gt 100 ] || fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt"
ok "CA bundle with $ca_count certificates"
buildah umount "$ctr" >/dev/null
mounted=()
for bin in datto-rmm-exporter datto-rmm-sim; do
  in_image "$ctr" -- ldd "/usr/local/bin/$bin" >"$work/ldd-$bin.txt" 2>&1 ||
    fail "ldd $bin: $(cat "$work/ldd-$bin.txt")"
  ! grep -q 'not found' "$work/ldd-$bin.txt" || fail "unresolved libraries of $bin: $(grep 'not found' "$work/ldd-$bin.txt")"
  ok "ldd $bin: $(grep -c '=>' "$work/ldd-$bin.txt") libraries, all found"
done
reported_version=$(in_image "$ctr" -- datto-rmm-exporter --version)
[[ "$reported_version" == *"revision $revision"* ]] || fail "--version says \"$reported_version\""
ok "$reported_version"
in_image "$ctr" -- id -u >"$work/id.txt"
[ "$(cat "$work/id.txt")" = "$run_uid" ] || fail "buildah run runs as uid $(cat "$work/id.txt")"
ok "commands in the image run as uid $run_uid"

stage "deployment configurations"
secrets="$work/secrets"
rm -rf "$secrets"
mkdir -p "$secrets/compose" "$secrets/kubernetes"
printf 'check-key\n' >"$secrets/compose/datto_rmm_api_key"
printf 'check-secret\n' >"$secrets/compose/datto_rmm_api_secret"
printf 'check-key\n' >"$secrets/kubernetes/api-key"
printf 'check-secret\n' >"$secrets/kubernetes/api-secret"
chmod -R a+rX "$secrets"
check_config() {  # check_config NAME [buildah run options...]
  local name=$1
  shift
  in_image "$@" "$ctr" -- \
    datto-rmm-exporter --config.file=/etc/datto-rmm-exporter/config.yaml --config.check \
    >"$work/config-check.txt" 2>&1 || fail "$name: $(cat "$work/config-check.txt")"
  ok "$name: $(head -n1 "$work/config-check.txt")"
}
# The configuration shipped in the image, and the deployment examples' mounted over it with
# their secrets mounted where the Compose file and the Kubernetes manifest mount them.
check_config "the image's own configuration"
config_mount() { echo "$repo/$1:/etc/datto-rmm-exporter/config.yaml:ro"; }
check_config deploy/compose/exporter/simulator.yaml \
  -v "$(config_mount deploy/compose/exporter/simulator.yaml)"
check_config deploy/compose/exporter/account.yaml \
  -v "$(config_mount deploy/compose/exporter/account.yaml)" \
  -v "$secrets/compose/datto_rmm_api_key:/run/secrets/datto_rmm_api_key:ro" \
  -v "$secrets/compose/datto_rmm_api_secret:/run/secrets/datto_rmm_api_secret:ro"
check_config deploy/kubernetes/exporter.yaml \
  -v "$(config_mount deploy/kubernetes/exporter.yaml)" \
  -v "$secrets/kubernetes:/run/secrets/datto-rmm:ro"
for f in deploy/compose/prometheus/prometheus.yml deploy/kubernetes/prometheus.yml; do
  promtool check config --syntax-only "$f" >"$work/promtool.txt" 2>&1 ||
    fail "$f: $(cat "$work/promtool.txt")"
  ok "$f: promtool check config"
done

stage "start simulator and exporter"
new_container sim_ctr
new_container exporter_ctr
# A frozen account (no churn) several pages long, on a free port picked by the simulator.
start_in_image "$work/sim.out" "$work/sim.log" "$sim_ctr" -- \
  datto-rmm-sim --port 0 --churn-per-minute 0 --sites 30 --devices 700 --alerts 320
wait_for 30 grep -q 'listening on' "$work/sim.out" ||
  fail "the simulator did not start: $(cat "$work/sim.log")"
sim_port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/sim.out")
[ -n "$sim_port" ] || fail "no port in \"$(cat "$work/sim.out")\""
ok "simulator on 127.0.0.1:$sim_port"

# The exporter reads its configuration from the documented path, the API key from a file (as a
# Docker or Kubernetes secret) and the secret from the environment.
cat >"$work/run-config.yaml" <<YAML
accounts:
  - name: image-test
    api_url: http://127.0.0.1:$sim_port
    api_key_file: /run/secrets/datto_rmm_api_key
YAML
printf 'demo-key\n' >"$secrets/demo_key"
chmod a+r "$work/run-config.yaml" "$secrets/demo_key"
start_in_image "$work/exporter.out" "$work/exporter.log" \
  -v "$work/run-config.yaml:/etc/datto-rmm-exporter/config.yaml:ro" \
  -v "$secrets/demo_key:/run/secrets/datto_rmm_api_key:ro" \
  -e DATTO_RMM_API_SECRET=demo-secret \
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
# Under chroot isolation the binaries run as ordinary host processes: read their real,
# effective, saved and filesystem ids from /proc.
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
ok "scraped $(grep -vc '^#' "$work/metrics.txt") samples"

# Samples of one metric as "<label values...> <value>" lines, tab-separated (category names have
# spaces), sorted; labels picked by name.
samples() {  # samples METRIC LABEL...
  local metric=$1
  shift
  awk -v metric="$metric" -v labels="$*" '
    function label(set, name,   m) {
      if (!match(set, "(^|,)" name "=\"[^\"]*\"")) return "?"
      m = substr(set, RSTART, RLENGTH)
      sub(/^,?[^=]*="/, "", m); sub(/"$/, "", m)
      return m
    }
    index($0, metric "{") == 1 {
      set = substr($0, length(metric) + 2)
      value = set; sub(/^.*\} /, "", value)
      sub(/\} [^ ]+( [0-9]+)?$/, "", set)
      n = split(labels, names, " ")
      line = ""
      for (i = 1; i <= n; i++) line = line label(set, names[i]) "\t"
      printf "%s%.17g\n", line, value + 0
    }' "$work/metrics.txt" | sort
}
compare() {  # compare WHAT EXPECTED_FILE ACTUAL_FILE
  local diff_file="$work/diff-${1// /-}.txt"
  if ! diff -u "$2" "$3" >"$diff_file"; then
    head -n 40 "$diff_file" >&2
    fail "$1 differ from the simulator's ground truth (full diff: $diff_file)"
  fi
  ok "$1 equal the ground truth ($(wc -l <"$2") values)"
}
tab=$'\t'
# The exporter's default site filter leaves out the "Deleted Devices" site.
truth_sites='.sites[] | select(.deleted_devices_site | not)'

jq -r "$truth_sites | .uid" "$work/ground-truth.json" | sort >"$work/expected-sites.txt"
samples datto_rmm_site_info site_uid | cut -f1 >"$work/actual-sites.txt"
[ -s "$work/expected-sites.txt" ] || fail "the ground truth lists no sites"
compare sites "$work/expected-sites.txt" "$work/actual-sites.txt"

jq -r "$truth_sites"' | .uid as $site | .alerts_open | to_entries[] | .key as $muted
    | .value | to_entries[] | "\($site)\t\(.key)\t\($muted)\t\(.value)"' \
  "$work/ground-truth.json" | sort >"$work/expected-alerts.txt"
samples datto_rmm_site_alerts_open site_uid priority muted >"$work/actual-alerts.txt"
awk -F'\t' '$4 > 0' "$work/expected-alerts.txt" | grep -q . || fail "the ground truth has no open alerts"
compare "open alerts by site and priority" "$work/expected-alerts.txt" "$work/actual-alerts.txt"

# Categories with no device in a state are absent from the ground truth; compare non-zero counts.
jq -r "$truth_sites"' | .uid as $site
    | (.devices_online_by_category | to_entries[] | "\($site)\t\(.key)\tonline\t\(.value)"),
      (.devices_offline_by_category | to_entries[] | "\($site)\t\(.key)\toffline\t\(.value)")' \
  "$work/ground-truth.json" | awk -F'\t' '$4 > 0' | sort >"$work/expected-devices.txt"
samples datto_rmm_site_devices site_uid category status | awk -F'\t' '$4 > 0' >"$work/actual-devices.txt"
for status in online offline; do
  grep -q "$tab$status$tab" "$work/expected-devices.txt" || fail "the ground truth has no $status devices"
done
compare "devices by site, category and status" "$work/expected-devices.txt" "$work/actual-devices.txt"

for status in online offline; do
  expected=$(awk -F'\t' -v s="$status" '$3 == s {n += $4} END {print n + 0}' "$work/expected-devices.txt")
  actual=$(awk -F'\t' -v s="$status" '$3 == s {n += $4} END {print n + 0}' "$work/actual-devices.txt")
  [ "$expected" = "$actual" ] || fail "devices $status: exporter $actual, ground truth $expected"
  ok "devices $status: $actual"
done

build_info=$(samples datto_rmm_exporter_build_info revision)
[ "$build_info" = "$revision${tab}1" ] || fail "datto_rmm_exporter_build_info: \"$build_info\""
ok "datto_rmm_exporter_build_info revision $revision"

# The image's own HEALTHCHECK command, pointed at the test's port.
in_image "$exporter_ctr" -- "${healthcheck[@]:1}" --web.listen-address="127.0.0.1:$exporter_port" \
  >"$work/healthcheck.txt" 2>&1 || fail "HEALTHCHECK failed: $(cat "$work/healthcheck.txt")"
ok "HEALTHCHECK inside the image: $(head -n1 "$work/healthcheck.txt")"

# SIGTERM to the exporter process: it stops within 5 s with status 0, which buildah run returns.
kill -TERM "$(listener_pid "$exporter_port")"
for _ in $(seq 50); do
  kill -0 "$exporter_group" 2>/dev/null || break
  sleep 0.1
done
! kill -0 "$exporter_group" 2>/dev/null || fail "the exporter did not stop within 5 s of SIGTERM"
exporter_status=0
wait "$exporter_group" || exporter_status=$?
[ "$exporter_status" -eq 0 ] || fail "the exporter exited with status $exporter_status on SIGTERM"
ok "SIGTERM: the exporter stopped with status 0"

# With the exporter gone, the same HEALTHCHECK must fail (or passing it above proved nothing).
if in_image "$exporter_ctr" -- "${healthcheck[@]:1}" --web.listen-address="127.0.0.1:$exporter_port" \
  >"$work/healthcheck-stopped.txt" 2>&1; then
  fail "HEALTHCHECK passed with the exporter stopped: $(cat "$work/healthcheck-stopped.txt")"
fi
ok "HEALTHCHECK fails with the exporter stopped: $(head -n1 "$work/healthcheck-stopped.txt")"

stage "image size"
# Uncompressed, as `docker images` shows it, and compressed, as a registry stores it and a pull
# transfers it: the image's layers written out as an OCI layout (gzip).
rm -rf "$work/oci"
buildah push --quiet "$image" "oci:$work/oci" >/dev/null
manifest_digest=$(jq -r '.manifests[0].digest' "$work/oci/index.json")
layer_digests=$(jq -r '.layers[].digest' "$work/oci/blobs/${manifest_digest/://}")
base_layers=$(buildah inspect --type image "$base_run" | jq '.OCIv1.rootfs.diff_ids | length')
n=0 total_gz=0 total_raw=0 base_gz=0 base_raw=0
for digest in $layer_digests; do
  blob="$work/oci/blobs/${digest/://}"
  gz=$(stat -c %s "$blob")
  raw=$(gzip -dc "$blob" | wc -c)
  total_gz=$((total_gz + gz))
  total_raw=$((total_raw + raw))
  n=$((n + 1))
  if [ "$n" -le "$base_layers" ]; then
    base_gz=$((base_gz + gz))
    base_raw=$((base_raw + raw))
  fi
done
rm -rf "$work/oci"
awk -v raw="$total_raw" -v gz="$total_gz" -v braw="$base_raw" -v bgz="$base_gz" 'BEGIN {
  printf "  image:                 %6.1f MB uncompressed, %5.1f MB compressed\n", raw / 1e6, gz / 1e6
  printf "  debian:bookworm-slim:  %6.1f MB uncompressed, %5.1f MB compressed\n", braw / 1e6, bgz / 1e6
  printf "  added by the Dockerfile: %4.1f MB uncompressed, %5.1f MB compressed\n", (raw - braw) / 1e6, (gz - bgz) / 1e6
}'
buildah images "$image"
