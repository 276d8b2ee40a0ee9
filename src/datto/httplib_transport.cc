// HttpTransport over cpp-httplib with OpenSSL: the only client-side file that includes httplib.h.
// One httplib::Client per (calling thread, origin) keeps a keep-alive connection per collector
// thread without sharing a connection between concurrent requests.
#include <httplib.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/url.h"
#include "datto/http_transport.h"

namespace drmm::datto {
namespace {

class HttplibTransport final : public HttpTransport {
 public:
  explicit HttplibTransport(TransportOptions options) : options_(std::move(options)) {}
  HttplibTransport(const HttplibTransport&) = delete;
  HttplibTransport& operator=(const HttplibTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override {
    HttpResponse response;
    const auto url = ParseUrl(request.url);
    if (!url) {
      response.transport_error = "InvalidURL";
      return response;
    }
    const std::shared_ptr<httplib::Client> client = ClientFor(url->Origin());
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

    httplib::Result result = client->send(req);
    if (!result) {
      response.transport_error = httplib::to_string(result.error());
      return response;
    }
    response.status = result->status;
    response.body = std::move(result->body);  // a device page is over a megabyte: no copy
    response.headers.reserve(result->headers.size());
    for (const auto& [name, value] : result->headers) response.headers.emplace_back(name, value);
    return response;
  }

  void CancelInFlight() override {
    std::vector<std::shared_ptr<httplib::Client>> clients;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [key, client] : clients_) clients.push_back(client);
    }
    // httplib's stop() shuts the socket down under the client's own lock, which makes a
    // blocked read on another thread return at once.
    for (const auto& client : clients) client->stop();
  }

 private:
  std::shared_ptr<httplib::Client> ClientFor(const std::string& origin) {
    std::lock_guard lock(mutex_);
    auto& slot = clients_[{std::this_thread::get_id(), origin}];
    if (!slot) slot = MakeClient(origin);
    return slot;
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

  const TransportOptions options_;
  std::mutex mutex_;
  std::map<std::pair<std::thread::id, std::string>, std::shared_ptr<httplib::Client>> clients_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeHttplibTransport(const TransportOptions& options) {
  return std::make_unique<HttplibTransport>(options);
}

}  // namespace drmm::datto
