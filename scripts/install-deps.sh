#!/usr/bin/env bash
# Installs what building, running and testing need, from Debian's packages only; works on
# Debian 12 (bookworm) and 13 (trixie), whose package names are the same for these.
# Idempotent: does nothing when everything is present. Needs root (or sudo).
# DRMM_DEPS=build: only what compiling the programs and the unit tests needs (the image's
# builder stage runs this); default: everything the test suites need.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev
  libsimdjson-dev   # the Datto API decoder (src/datto/decode.cc)
  libssl-dev zlib1g-dev libbrotli-dev libgtest-dev libgmock-dev
  libboost-dev libcrypt-dev   # the web server (Beast/Asio, header-only) and bcrypt (crypt_r)
  openssl                     # the TLS tests make their certificates with it
  prometheus   # promtool and a real Prometheus server for the end-to-end tests
  jsonnet python3-yaml   # scripts/generate-mixin.sh: rules/ and Grafana alerting from mixin/
  prometheus-alertmanager   # amtool checks deploy/alertmanager/alertmanager.yml
  clang-format clang-tidy   # scripts/lint.sh
  clang libclang-rt-dev     # scripts/fuzz.sh: the libFuzzer targets, with ASan and UBSan
  hey python3               # scripts/bench-scrape.sh: concurrent scrapes, a free port
)
if [ "${DRMM_DEPS:-all}" = build ]; then
  # Not needed to compile and run the unit tests: servers and tools of the other suites.
  not_for_build=" git prometheus prometheus-alertmanager jsonnet python3-yaml clang-format clang-tidy hey python3 clang libclang-rt-dev "
  kept=()
  for p in "${packages[@]}"; do
    [[ "$not_for_build" == *" $p "* ]] || kept+=("$p")
  done
  packages=("${kept[@]}")
fi
if [ "${DRMM_WITH_IMAGE_TOOLS:-0}" = 1 ]; then
  # The container image test (scripts/test-image.sh): buildah builds and runs the image,
  # debootstrap makes its Debian base images, jq reads buildah's JSON and the simulator's ground
  # truth, iproute2's ss finds the processes started from the image.
  packages+=(buildah debootstrap jq iproute2)
fi
if [ "${DRMM_WITH_PACKAGE_TOOLS:-0}" = 1 ]; then
  # The Debian package and its test (scripts/package.sh, scripts/test-package.sh): CPack's DEB
  # generator finds executables with file and computes dependencies with dpkg-shlibdeps
  # (dpkg-dev); debootstrap makes the clean Debian the package is installed into.
  packages+=(file dpkg-dev debootstrap)
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# The Kubernetes examples are rendered with kustomize (tests/deploy/kubernetes_test.cc):
# `kubectl kustomize`, or the `kustomize` program, which is the same code. Debian 13 packages
# kubectl; Debian 12 has neither (its kubernetes-client 1.20 predates the kustomize the
# examples need), so there it is the kustomize program of Debian 13's package: one Go
# executable that needs only libc, taken from the Debian mirror apt already uses, with apt
# checking the archive's signature, into /usr/local/bin.
if [ "${DRMM_DEPS:-all}" != build ] &&
  ! command -v kubectl >/dev/null 2>&1 && ! command -v kustomize >/dev/null 2>&1; then
  if [ -n "$(apt-cache madison kubectl 2>/dev/null)" ]; then
    echo "install-deps: installing kubectl" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends kubectl >/dev/null
  else
    echo "install-deps: installing kustomize (Debian 13's package) into /usr/local/bin" >&2
    $SUDO bash "$(dirname "$0")/lib/kustomize-from-trixie.sh" /usr/local/bin
  fi
fi
