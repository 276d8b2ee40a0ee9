# shellcheck shell=bash
# Debian root file systems made with debootstrap, for the image test (its base images) and the
# package test (a clean system to install the .deb into). Sourced, not run.
#
# The mirror is the one the machine's apt sources use for Debian (any release: a Debian mirror
# serves them all), so a machine that reaches only its configured mirror can bootstrap trixie
# while it runs bookworm.

# Prints the URI of the machine's Debian archive ("debian") or security archive
# ("debian-security"), from the package files apt knows; deb.debian.org when apt knows none.
debian_mirror() {
  local archive=$1 label uri
  case "$archive" in
    debian) label="l=Debian," ;;
    debian-security) label="l=Debian-Security," ;;
    *) echo "debian_mirror: unknown archive $archive" >&2; return 1 ;;
  esac
  uri=$(apt-cache policy 2>/dev/null | awk -v label="$label" '
    $1 ~ /^[0-9]+$/ && $2 ~ /^https?:/ { uri = $2; next }
    uri != "" && /release / && index($0, label) > 0 && index($0, "c=main") > 0 { print uri; exit }
    { uri = "" }')
  echo "${uri:-http://deb.debian.org/$archive}"
}

# Writes ROOT's apt sources for RELEASE (main, -updates, -security; deb822 as Debian's images
# do) and apt settings that keep no package lists or downloaded .debs.
configure_apt() {
  local root=$1 release=$2 mirror security
  mirror=$(debian_mirror debian)
  security=$(debian_mirror debian-security)
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $release $release-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $release-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  # No daemon starts when a package is installed into the root file system.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/log/bootstrap.log
  mkdir -p "$root/var/lib/apt/lists/partial"
}

# bootstrap_rootfs ROOT RELEASE LOG [debootstrap options...]: a minbase RELEASE in ROOT.
bootstrap_rootfs() {
  local root=$1 release=$2 log=$3
  shift 3
  local mirror include=()
  mirror=$(debian_mirror debian)
  case "$mirror" in https:*) include=(--include=ca-certificates) ;; esac
  echo "  debootstrap $release from $mirror"
  debootstrap --variant=minbase "${include[@]}" "$@" "$release" "$root" "$mirror" >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; return 1; }
  configure_apt "$root" "$release"
}

# Removes a root file system. A command that was killed can leave /proc, /sys or /dev mounted
# inside it: unmount those first, and never delete through a mount.
remove_rootfs() {
  local root=$1 mount_point
  [ -d "$root" ] || return 0
  awk -v root="$root/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r |
    while read -r mount_point; do umount "$mount_point" || umount -l "$mount_point" || true; done
  if awk -v root="$root/" 'index($2, root) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    echo "$root still has mounts; not removed" >&2
    return 0
  fi
  rm -rf --one-file-system "$root"
}

# unpack_cached_rootfs ROOT RELEASE CACHE LOG: a clean minbase RELEASE with systemd in ROOT,
# unpacked from CACHE/debian-RELEASE-minbase-systemd.tar, which is bootstrapped first when
# missing (delete it to bootstrap anew). Each call starts from the tarball, so nothing one run
# installed reaches the next.
unpack_cached_rootfs() {
  local root=$1 release=$2 cache=$3 log=$4 tarball fresh
  tarball="$cache/debian-$release-minbase-systemd.tar"
  mkdir -p "$cache"
  if [ ! -f "$tarball" ]; then
    fresh=$(mktemp -d "$(dirname "$root")/bootstrap.XXXXXX")
    chmod 0755 "$fresh"  # becomes the system's /
    bootstrap_rootfs "$fresh" "$release" "$log" --include=systemd ||
      { remove_rootfs "$fresh"; return 1; }
    tar -C "$fresh" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    remove_rootfs "$fresh"
    echo "  bootstrapped; cached as $tarball"
  fi
  remove_rootfs "$root"
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xf "$tarball"
  chmod 0755 "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
}
