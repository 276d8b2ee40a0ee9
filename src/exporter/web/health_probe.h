// --healthcheck: the exporter asking a running instance of itself for /-/healthy, so a container
// HEALTHCHECK needs no curl or wget in the image.
#pragma once

#include <string>

namespace drmm {

// GETs /-/healthy from the exporter listening on `listen_address` (a wildcard host is probed on
// loopback). Returns 0 on HTTP 200, 1 otherwise; `detail` says what happened.
int ProbeHealth(const std::string& listen_address, std::string* detail);

}  // namespace drmm
