// The narrow seam between the Datto client and the network. The client builds requests and
// interprets responses; a transport only moves bytes. Tests script a fake one; production uses
// HttplibTransport, the only file that includes httplib.h on the client side.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drmm::datto {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // GET or POST
  std::string url;     // absolute: scheme://host[:port]/path?query
  Headers headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;               // 0 when the request never got a response
  std::string transport_error;  // non-empty exactly when status == 0
  Headers headers;
  std::string body;

  // Case-insensitive header lookup; empty when absent.
  std::string Header(std::string_view name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends and waits for the whole response. When `stop` is requested meanwhile (shutdown, a
  // page walk given up), the exchange ends promptly with a transport error. Thread-safe: several
  // requests (the collectors, a walk's pages in flight) may be under way at once.
  virtual HttpResponse Send(const HttpRequest& request, const std::stop_token& stop) = 0;
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};  // each read
  // The whole exchange, connect to last byte: a body trickled a byte at a time ends here.
  std::chrono::milliseconds request_deadline{120000};
  // The body after gzip or brotli decoding: a larger (or endless, or bomb) body is refused.
  std::size_t max_response_bytes = std::size_t{32} << 20;
  std::string ca_file;     // empty: the system trust store
  bool verify_tls = true;  // only ever off for a test against a self-signed simulator
  std::string user_agent;  // "datto-rmm-exporter/<version>"
};

// cpp-httplib with OpenSSL. Keeps a pool of keep-alive connections per origin, one per request
// in flight.
std::unique_ptr<HttpTransport> MakeHttplibTransport(const TransportOptions& options);

}  // namespace drmm::datto
