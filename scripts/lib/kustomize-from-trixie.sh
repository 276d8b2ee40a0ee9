#!/usr/bin/env bash
# kustomize-from-trixie.sh DIR: puts the `kustomize` program of Debian 13's package into DIR.
# For Debian 12, which packages no kustomize new enough for deploy/kubernetes (scripts/
# install-deps.sh says why). apt fetches the package with a private package list of trixie from
# the mirror the machine already uses, checking the archive's signature with Debian's keyring as
# for any package; nothing in the machine's apt configuration changes. The program is one Go
# executable that needs only libc. Needs root (apt's download) or write access to DIR.
set -euo pipefail
dest=${1:?usage: kustomize-from-trixie.sh DIR}
# shellcheck source=debian-rootfs.sh
source "$(dirname "$0")/debian-rootfs.sh"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/state/lists/partial" "$scratch/cache/archives/partial" "$scratch/deb"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror debian) trixie main" \
  >"$scratch/sources.list"
apt_private=(
  -o "Dir::Etc::SourceList=$scratch/sources.list" -o Dir::Etc::SourceParts=/nonexistent
  -o "Dir::State=$scratch/state" -o "Dir::Cache=$scratch/cache"
  -o Acquire::Languages=none -o APT::Sandbox::User=root
)
apt-get "${apt_private[@]}" update -qq >"$scratch/apt.log" 2>&1 ||
  { cat "$scratch/apt.log" >&2; echo "kustomize-from-trixie: apt-get update failed" >&2; exit 1; }
(cd "$scratch/deb" && apt-get "${apt_private[@]}" download kustomize) >>"$scratch/apt.log" 2>&1 ||
  { cat "$scratch/apt.log" >&2; echo "kustomize-from-trixie: apt-get download kustomize failed" >&2; exit 1; }
dpkg-deb -x "$scratch"/deb/kustomize_*.deb "$scratch/root"
install -D -m 0755 "$scratch/root/usr/bin/kustomize" "$dest/kustomize"
"$dest/kustomize" version >/dev/null ||
  { echo "kustomize-from-trixie: $dest/kustomize does not run here" >&2; exit 1; }
echo "kustomize-from-trixie: $dest/kustomize from $(basename "$scratch"/deb/kustomize_*.deb)"
