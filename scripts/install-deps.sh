#!/usr/bin/env bash
# Installs what building, running and testing need, from Debian bookworm's packages only.
# Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev
  libsimdjson-dev   # the Datto API decoder (src/datto/decode.cc)
  libssl-dev zlib1g-dev libbrotli-dev libgtest-dev libgmock-dev
  prometheus   # promtool and a real Prometheus server for the end-to-end tests
)
if [ "${DRMM_WITH_IMAGE_TOOLS:-0}" = 1 ]; then
  # The container image test (scripts/test-image.sh): buildah builds and runs the image,
  # debootstrap makes its Debian base images, jq reads buildah's JSON and the simulator's ground
  # truth, iproute2's ss finds the processes started from the image.
  packages+=(buildah debootstrap jq iproute2)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
