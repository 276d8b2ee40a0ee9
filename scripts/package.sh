#!/usr/bin/env bash
# Builds the Debian packages datto-rmm-exporter and datto-rmm-sim with CPack
# (cmake/Packaging.cmake) in build/ (or $BUILD_DIR): configures it when needed (Release), builds
# only the two programs, and prints the paths of the .deb files, which go to build/packages/.
# Extra arguments go to CMake's configure step. The packages depend on the library packages of
# the Debian release this runs on (dpkg-shlibdeps), and their version says which (~deb12).
set -euo pipefail
cd "$(dirname "$0")/.."

DRMM_DEPS=build DRMM_WITH_PACKAGE_TOOLS=1 scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=()
  command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
else
  # Configured again every time: the revision --version shows is read from git at configure.
  cmake -S . -B "$build_dir" "$@" >/dev/null
fi
cmake --build "$build_dir" --target datto-rmm-exporter datto-rmm-sim
rm -rf "$build_dir/packages"
(cd "$build_dir" && cpack -G DEB) >"$build_dir/cpack.log" 2>&1 ||
  { cat "$build_dir/cpack.log" >&2; echo "package.sh: cpack failed" >&2; exit 1; }
ls "$PWD/$build_dir"/packages/*.deb
