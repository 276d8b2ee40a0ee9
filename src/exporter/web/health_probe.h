// --healthcheck: the exporter asking a running instance of itself for /-/healthy, so a container
// HEALTHCHECK needs no curl or wget in the image. It speaks whatever the server speaks: TLS when
// the web config turns it on (without verifying the certificate: it is a liveness check of this
// machine's own process, not a trust decision), plain HTTP otherwise. It holds no credentials,
// so with basic auth on, the server's 401 and Basic challenge is the answer it expects, and
// with client certificates required, the server asking for one in the TLS handshake: either
// shows the server accepting connections and answering on its I/O threads, which is all a 200
// from /-/healthy says.
#pragma once

#include <string>

namespace drmm {

// Probes the exporter listening on `listen_address` (a wildcard host is probed on loopback).
// `web_config_file` ("" for none) says whether to use TLS; when it cannot be read, plain HTTP
// is tried first and TLS when the server says it wants TLS. Returns 0 when healthy, 1
// otherwise; `detail` says what happened. Bounded: at most about 5 s.
int ProbeHealth(const std::string& listen_address, const std::string& web_config_file,
                std::string* detail);

}  // namespace drmm
