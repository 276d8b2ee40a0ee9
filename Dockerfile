# The datto-rmm-exporter image: the exporter and the Datto RMM API simulator (datto-rmm-sim) on
# Debian 13 (trixie) slim, running as uid/gid 65532. Building, running and the deployment
# examples: docs/deployment.md. scripts/test-image.sh builds this file with buildah and checks
# the result.
#
#   buildah bud --format docker --build-arg DRMM_REVISION=$(git rev-parse --short=12 HEAD) \
#     --build-arg DRMM_VERSION=$(sed -nE 's/^project\(.* VERSION ([0-9.]+).*/\1/p' CMakeLists.txt) \
#     -t datto-rmm-exporter .
#   docker build (the same --build-arg flags) -t datto-rmm-exporter .
#
# (--format docker: the OCI image format has no HEALTHCHECK, and buildah drops it otherwise.)

# ---- build stage: the compiler and the -dev packages stay here ----
FROM debian:trixie AS build

# The build dependencies come from the one list in scripts/install-deps.sh (DRMM_DEPS=build:
# the compiler, the -dev packages and GoogleTest; not the test servers).
COPY scripts/install-deps.sh /tmp/install-deps.sh
RUN DRMM_DEPS=build /tmp/install-deps.sh \
 && rm -rf /var/lib/apt/lists/* /tmp/install-deps.sh

WORKDIR /src
# Only what the two executables are built from, so an edit to docs or tests keeps the cached
# layers above and the compile below.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY src/ src/

# The context has no .git: the revision shown by --version and datto_rmm_exporter_build_info
# comes in from the builder (scripts/test-image.sh passes git rev-parse --short=12 HEAD).
ARG DRMM_REVISION=unknown
# Parallel compile jobs; empty means Ninja's default (cores + 2).
ARG BUILD_JOBS=
# 1: also build and run the unit tests (below). The programs are then compiled with -Werror too,
# so that turning the tests on later changes no compile flag and recompiles nothing.
ARG DRMM_UNIT_TESTS=0
# ON: warnings are errors (scripts/test-image.sh passes it, so Debian 13's newer compiler checks
# the code as Debian 12's does in CI); the unit tests turn it on too.
ARG DRMM_WERROR=OFF
# After the compile, the runtime packages as Debian computes them for a .deb: dpkg-shlibdeps maps
# every shared library the binaries load to the package that ships it on this release.
RUN cmake -S /src -B /build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DDRMM_BUILD_TESTS=OFF \
      -DDRMM_BUILD_BENCHMARKS=OFF \
      -DDRMM_WERROR="$([ "${DRMM_UNIT_TESTS}" = 1 ] && echo ON || echo "${DRMM_WERROR}")" \
      -DDRMM_REVISION_OVERRIDE="${DRMM_REVISION}" \
 && cmake --build /build --target datto-rmm-exporter datto-rmm-sim ${BUILD_JOBS:+-j "${BUILD_JOBS}"} \
 && strip --strip-unneeded /build/bin/datto-rmm-exporter /build/bin/datto-rmm-sim \
 && /build/bin/datto-rmm-exporter --version \
 && mkdir -p /tmp/shlibdeps/debian && touch /tmp/shlibdeps/debian/control \
 && cd /tmp/shlibdeps \
 && dpkg-shlibdeps -O /build/bin/datto-rmm-exporter /build/bin/datto-rmm-sim \
    | sed -e 's/^shlibs:Depends=//' -e 's/([^)]*)//g' | tr ',|' '\n\n' | tr -d ' ' \
    | grep -v '^$' | sort -u >/build/runtime-packages.txt \
 && echo "runtime packages: $(tr '\n' ' ' </build/runtime-packages.txt)"

# Debian 13's compiler and libraries are newer than Debian 12's: DRMM_UNIT_TESTS=1 (the image
# test passes it) also builds the unit tests here, warnings as errors, and runs them. The
# sources they read (tests, rules, dashboards, docs) come in after the binaries are built, so
# editing them never rebuilds the binaries. SimSchemaTest compares the simulator with Datto's
# OpenAPI document, which lives outside the repository (../shared): it runs in CI on Debian 12.
COPY tests/ tests/
COPY rules/ rules/
COPY dashboards/ dashboards/
COPY docs/ docs/
COPY config.example.yaml ./
RUN if [ "${DRMM_UNIT_TESTS}" = 1 ]; then \
      cmake -S /src -B /build -DDRMM_BUILD_TESTS=ON \
   && cmake --build /build ${BUILD_JOBS:+-j "${BUILD_JOBS}"} -- -k 0 \
   && ctest --test-dir /build -L unit -E '^SimSchemaTest' --output-on-failure -j "$(nproc)" \
        --timeout 300; \
    fi

# ---- runtime stage: shared libraries, CA certificates and the two binaries ----
FROM debian:trixie-slim

# The shared libraries the build stage found (scripts/test-image.sh also runs ldd on both
# binaries in the built image and fails on any library not found) and the CA store that TLS
# verification of the Datto API needs.
COPY --from=build /build/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages.txt apt-get install -y \
      --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
      /tmp/runtime-packages.txt \
 && groupadd --system --gid 65532 datto-rmm-exporter \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin datto-rmm-exporter

COPY --from=build /build/bin/datto-rmm-exporter /build/bin/datto-rmm-sim /usr/local/bin/
# The default configuration polls the bundled simulator on 127.0.0.1:8780 with its demo
# credentials, so the image runs without a Datto account. Mount your own file over it.
COPY config.example.yaml /etc/datto-rmm-exporter/config.yaml

# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
WORKDIR /etc/datto-rmm-exporter
EXPOSE 9768

# The binary probes its own /-/healthy on --web.listen-address (default :9768, probed on
# loopback), so the image needs no curl or wget. When you change --web.listen-address, give the
# same flag to the health check (docs/deployment.md).
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/datto-rmm-exporter", "--healthcheck"]

ENTRYPOINT ["/usr/local/bin/datto-rmm-exporter"]
CMD ["--config.file=/etc/datto-rmm-exporter/config.yaml"]

# DRMM_VERSION: CMake's project() version (scripts/test-image.sh reads it from CMakeLists.txt).
ARG DRMM_REVISION=unknown
ARG DRMM_VERSION=unknown
ARG DRMM_CREATED=
LABEL org.opencontainers.image.title="datto-rmm-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Datto RMM, with the datto-rmm-sim API simulator" \
      org.opencontainers.image.version="${DRMM_VERSION}" \
      org.opencontainers.image.revision="${DRMM_REVISION}" \
      org.opencontainers.image.created="${DRMM_CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/debian:trixie-slim"
