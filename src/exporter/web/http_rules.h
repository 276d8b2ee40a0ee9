// The HTTP decisions of the web server that need no socket: which handler a request goes to
// (or which refusal it gets), whether a scraper takes gzip (as promhttp decides it), and the
// exact bytes of a response head. Pure functions, tested on literal requests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drmm {

enum class Route { kMetrics, kLanding, kHealthy, kReady, kReload, kRefused };

struct RouteDecision {
  Route route = Route::kRefused;
  int status = 200;   // for kRefused: 403, 404 or 405
  std::string allow;  // the Allow header of a 405
  std::string body;   // of a refusal
};

// `target` may carry a query string, which is ignored (Prometheus scrape configs can add
// `params`). GET and HEAD serve the telemetry path, "/", /-/healthy and /-/ready; POST and PUT
// /-/reload reload when `lifecycle` (--web.enable-lifecycle) is on and are refused with 403
// otherwise, as Prometheus does.
RouteDecision RouteRequest(std::string_view method, std::string_view target,
                           std::string_view telemetry_path, bool lifecycle);

// promhttp's rule: one of the comma-separated codings is "gzip", possibly with parameters;
// an explicit q=0 refuses it.
bool AcceptsGzip(std::string_view accept_encoding);

struct ResponseHead {
  int status = 200;
  std::string content_type;
  std::size_t content_length = 0;
  bool gzip = false;   // Content-Encoding: gzip and Vary: Accept-Encoding
  bool close = false;  // Connection: close
  std::vector<std::pair<std::string, std::string>> headers;  // any others, in order
};

// "HTTP/1.1 200 OK\r\n...\r\n\r\n".
std::string FormatResponseHead(const ResponseHead& head);

}  // namespace drmm
