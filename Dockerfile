# The datto-rmm-exporter image: the exporter and the Datto RMM API simulator (datto-rmm-sim) on
# Debian bookworm-slim, running as uid/gid 65532. Building, running and the deployment examples:
# docs/deployment.md. scripts/test-image.sh builds this file with buildah and checks the result.
#
#   buildah bud --format docker --build-arg DRMM_REVISION=$(git rev-parse --short=12 HEAD) \
#     -t datto-rmm-exporter .
#   docker build --build-arg DRMM_REVISION=$(git rev-parse --short=12 HEAD) -t datto-rmm-exporter .
#
# (--format docker: the OCI image format has no HEALTHCHECK, and buildah drops it otherwise.)

# ---- build stage: the compiler and the -dev packages stay here ----
FROM debian:bookworm AS build

# The packages scripts/install-deps.sh installs for compiling (tests, benchmarks, promtool and
# git are not needed: the context has no .git and the tests are not built).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      prometheus-cpp-dev libcpp-httplib-dev libyaml-cpp-dev nlohmann-json3-dev \
      libsimdjson-dev libssl-dev zlib1g-dev libbrotli-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what the two executables are built from, so an edit to docs or tests keeps the cached
# layers above.
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY src/ src/

# The context has no .git: the revision shown by --version and datto_rmm_exporter_build_info
# comes in from the builder (scripts/test-image.sh passes git rev-parse --short=12 HEAD).
ARG DRMM_REVISION=unknown
# Parallel compile jobs; empty means Ninja's default (cores + 2).
ARG BUILD_JOBS=
RUN cmake -S /src -B /build -G Ninja \
      -DCMAKE_BUILD_TYPE=Release \
      -DDRMM_BUILD_TESTS=OFF \
      -DDRMM_BUILD_BENCHMARKS=OFF \
      -DDRMM_REVISION_OVERRIDE="${DRMM_REVISION}" \
 && cmake --build /build --target datto-rmm-exporter datto-rmm-sim ${BUILD_JOBS:+-j "${BUILD_JOBS}"} \
 && strip --strip-unneeded /build/bin/datto-rmm-exporter /build/bin/datto-rmm-sim \
 && /build/bin/datto-rmm-exporter --version

# ---- runtime stage: shared libraries, CA certificates and the two binaries ----
FROM debian:bookworm-slim

# Shared libraries of the two binaries (scripts/test-image.sh runs ldd on both in the built
# image and fails on any library not found) and the CA store that TLS verification of the
# Datto API needs. libstdc++6 and libc6 come with the base image.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates \
      libprometheus-cpp-core1.0 libcpp-httplib0.11 libyaml-cpp0.7 libsimdjson14 \
      libssl3 zlib1g libbrotli1 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log \
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

ARG DRMM_REVISION=unknown
ARG DRMM_VERSION=unknown
ARG DRMM_CREATED=
LABEL org.opencontainers.image.title="datto-rmm-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Datto RMM, with the datto-rmm-sim API simulator" \
      org.opencontainers.image.version="${DRMM_VERSION}" \
      org.opencontainers.image.revision="${DRMM_REVISION}" \
      org.opencontainers.image.created="${DRMM_CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
