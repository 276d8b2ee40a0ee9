// HttpTransport over cpp-httplib with OpenSSL: the only client-side file that includes httplib.h.
// cpp-httplib's own limits are per read and unbounded in size, so this file adds what a client
// facing a hostile or broken server needs: a deadline for the whole exchange (a watchdog closes
// the connection), a cap on the decoded body (checked as gzip or brotli is inflated, and against
// Content-Length before any byte is read), cancellation of one request at a time, and errors
// that name the host and tell an unknown host from a refused connection. Connections are pooled
// per origin, one per request in flight, so a page walk with several pages in flight reuses its
// keep-alive connections from walk to walk.
#include <httplib.h>
#include <netdb.h>

#include <atomic>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/duration.h"
#include "common/url.h"
#include "common/watchdog.h"
#include "datto/http_transport.h"

namespace drmm::datto {
namespace {

// Whether `host` resolves, to tell "no such host" from "nobody answered" (cpp-httplib reports
// both as Error::Connection).
bool Resolves(const std::string& host) {
  std::string name = host;
  if (name.size() > 2 && name.front() == '[') name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (found != nullptr) freeaddrinfo(found);
  return status == 0;
}

class HttplibTransport final : public HttpTransport {
 public:
  explicit HttplibTransport(TransportOptions options) : options_(std::move(options)) {}
  HttplibTransport(const HttplibTransport&) = delete;
  HttplibTransport& operator=(const HttplibTransport&) = delete;

  HttpResponse Send(const HttpRequest& request, const std::stop_token& stop) override {
    HttpResponse response;
    const auto url = ParseUrl(request.url);
    if (!url) {
      response.transport_error = "InvalidURL";
      return response;
    }
    const std::string origin = url->Origin();
    std::shared_ptr<httplib::Client> client = Checkout(origin);
    if (!client->is_valid()) {
      response.transport_error = "InvalidClient";
      return response;
    }

    httplib::Request req;
    req.method = request.method;
    req.path = url->target;
    for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
    if (!options_.user_agent.empty()) req.headers.emplace("User-Agent", options_.user_agent);
    // Device walks are large and compress about tenfold; httplib inflates transparently.
    if (!req.has_header("Accept-Encoding")) req.headers.emplace("Accept-Encoding", "gzip");
    req.body = request.body;

    const std::size_t limit = options_.max_response_bytes;
    bool too_large = false;
    std::string body;
    req.response_handler = [&](const httplib::Response& head) {
      // A declared length over the cap is refused before a byte of it is read. (Compressed, the
      // declared length says little; the receiver below counts the inflated bytes.)
      if (head.has_header("Content-Encoding") || !head.has_header("Content-Length")) return true;
      const std::string declared = head.get_header_value("Content-Length");
      std::uint64_t length = 0;
      const auto [end, error] =
          std::from_chars(declared.data(), declared.data() + declared.size(), length);
      if (error == std::errc() && end == declared.data() + declared.size()) {
        if (length > limit) {
          too_large = true;
          return false;
        }
        // One allocation of the right size instead of a doubling string's copies.
        body.reserve(length);
      }
      return true;
    };
    req.content_receiver = [&](const char* data, std::size_t size, std::uint64_t /*offset*/,
                               std::uint64_t /*total*/) {
      if (body.size() + size > limit) {
        too_large = true;
        return false;
      }
      body.append(data, size);
      return true;
    };

    std::atomic<bool> cancelled = false;
    std::atomic<bool> timed_out = false;
    httplib::Result result{nullptr, httplib::Error::Unknown};
    {
      // httplib's stop() shuts the socket down under the client's own lock, which makes a
      // blocked read return at once; the connection is re-opened on the next request.
      const std::stop_callback cancel(stop, [&] {
        cancelled = true;
        client->stop();
      });
      const auto guard =
          watchdog_.Arm(std::chrono::steady_clock::now() + options_.request_deadline, [&] {
            timed_out = true;
            client->stop();
          });
      result = client->send(req);
    }
    Checkin(origin, std::move(client));

    if (!result || too_large || timed_out) {
      response.transport_error =
          Describe(result.error(), url->host, url->port, too_large, timed_out, cancelled);
      return response;
    }
    response.status = result->status;
    response.body = std::move(body);  // a device page is over a megabyte: no copy
    response.headers.reserve(result->headers.size());
    for (const auto& [name, value] : result->headers) response.headers.emplace_back(name, value);
    return response;
  }

 private:
  std::string Describe(httplib::Error error, const std::string& host, int port, bool too_large,
                       bool timed_out, bool cancelled) const {
    const std::string where = host + ":" + std::to_string(port);
    if (too_large) {
      return "response from " + where + " larger than " +
             std::to_string(options_.max_response_bytes) + " bytes (max_response_size)";
    }
    if (timed_out) {
      return "no complete response from " + where + " within " +
             FormatDuration(options_.request_deadline) + " (timeouts.request)";
    }
    if (cancelled) return "Canceled";
    switch (error) {
      case httplib::Error::Connection:
        return Resolves(host) ? "cannot connect to " + where + " (refused or unreachable)"
                              : "cannot resolve host " + host;
      case httplib::Error::ConnectionTimeout:
        return "connecting to " + where + " timed out";
      case httplib::Error::Read:
        return "reading from " + where + " failed (connection closed, reset or timed out)";
      case httplib::Error::Write:
        return "writing to " + where + " failed";
      case httplib::Error::SSLConnection:
        return "TLS handshake with " + where + " failed";
      case httplib::Error::SSLServerVerification:
        return "TLS certificate of " + where + " not trusted (see ca_file)";
      case httplib::Error::SSLLoadingCerts:
        return "cannot load the CA certificates (see ca_file)";
      default:
        return httplib::to_string(error) + " (" + where + ")";
    }
  }

  std::shared_ptr<httplib::Client> Checkout(const std::string& origin) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[origin];
    if (!idle.empty()) {
      auto client = std::move(idle.back());
      idle.pop_back();
      return client;
    }
    return MakeClient(origin);
  }

  void Checkin(const std::string& origin, std::shared_ptr<httplib::Client> client) {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[origin];
    // More idle connections than requests ever run at once would only hold sockets.
    if (idle.size() < kMaxIdlePerOrigin) idle.push_back(std::move(client));
  }

  std::shared_ptr<httplib::Client> MakeClient(const std::string& origin) const {
    auto client = std::make_shared<httplib::Client>(origin);
    client->set_connection_timeout(options_.connect_timeout);
    client->set_read_timeout(options_.read_timeout);
    // A request body is a few hundred bytes at most; a write that stalls is a dead peer.
    client->set_write_timeout(options_.read_timeout);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);       // small requests must not wait for delayed ACKs
    client->set_follow_location(false);  // the bearer token must not follow a redirect
    client->set_url_encode(false);       // targets are sent exactly as the API gave them
    client->enable_server_certificate_verification(options_.verify_tls);
    if (!options_.ca_file.empty()) client->set_ca_cert_path(options_.ca_file);
    return client;
  }

  static constexpr std::size_t kMaxIdlePerOrigin = 16;

  const TransportOptions options_;
  Watchdog watchdog_;
  std::mutex mutex_;
  std::map<std::string, std::vector<std::shared_ptr<httplib::Client>>> idle_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeHttplibTransport(const TransportOptions& options) {
  return std::make_unique<HttplibTransport>(options);
}

}  // namespace drmm::datto
