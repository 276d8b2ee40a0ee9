// The narrow seam between the Datto client and the network. The client builds requests and
// interprets responses; a transport only moves bytes. Tests script a fake one; production uses
// HttplibTransport, the only file that includes httplib.h on the client side.
#pragma once

#include <chrono>
#include <memory>
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
  virtual HttpResponse Send(const HttpRequest& request) = 0;
  // Makes any Send() in progress on another thread return promptly (used at shutdown).
  virtual void CancelInFlight() {}
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};
  std::string ca_file;     // empty: the system trust store
  bool verify_tls = true;  // only ever off for a test against a self-signed simulator
  std::string user_agent;  // "datto-rmm-exporter/<version>"
};

// cpp-httplib with OpenSSL. Keeps one keep-alive connection per (calling thread, origin).
std::unique_ptr<HttpTransport> MakeHttplibTransport(const TransportOptions& options);

}  // namespace drmm::datto
