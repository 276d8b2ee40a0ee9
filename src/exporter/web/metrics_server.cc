#include "exporter/web/metrics_server.h"

#include <httplib.h>

#include <string>
#include <string_view>

#include "common/listen_address.h"
#include "common/log.h"

namespace drmm {
namespace {

constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

void MethodNotAllowed(const httplib::Request& /*request*/, httplib::Response& response) {
  response.status = 405;
  response.set_header("Allow", "GET, HEAD");
  response.set_content("method not allowed\n", "text/plain; charset=utf-8");
}

// cpp-httplib 0.11 reads every route as a std::regex; the telemetry path is meant literally
// ("/v1.0/metrics" must not also answer "/v1x0/metrics").
std::string LiteralRoute(std::string_view path) {
  std::string pattern;
  for (const char c : path) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return pattern;
}

}  // namespace

MetricsServer::MetricsServer(WebOptions options, WebHandlers handlers)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      server_(std::make_unique<httplib::Server>()) {
  Route();
}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::Route() {
  auto& server = *server_;
  // cpp-httplib sets SO_REUSEPORT by default, which lets a second exporter bind the same port and
  // silently take half the scrapes. Keep only SO_REUSEADDR (a restart must not wait for
  // TIME_WAIT), so a port in use is reported at start-up.
  server.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // cpp-httplib's stop() waits for a worker holding an idle keep-alive connection until that
  // connection times out, so a long keep-alive would hold SIGTERM up. A scrape every 15 s or
  // more gains nothing from a connection kept longer than its own request anyway.
  server.set_keep_alive_timeout(1);
  server.set_read_timeout(std::chrono::seconds(10));
  server.set_write_timeout(std::chrono::seconds(30));
  server.set_payload_max_length(64 * 1024);  // we take no request bodies worth the name

  const std::string telemetry_route = LiteralRoute(options_.telemetry_path);
  server.Get(telemetry_route, [this](const httplib::Request&, httplib::Response& res) {
    try {
      res.set_content(handlers_.render_metrics(), kExpositionContentType);
    } catch (const std::exception& e) {
      // Never crash the scrape endpoint; say what failed so the operator can report it.
      LogError("rendering metrics failed", {{"error", e.what()}});
      res.status = 500;
      res.set_content(std::string("error rendering metrics: ") + e.what() + "\n",
                      "text/plain; charset=utf-8");
    }
  });
  server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("Healthy\n", "text/plain; charset=utf-8");
  });
  server.Get("/-/ready", [this](const httplib::Request&, httplib::Response& res) {
    const Readiness readiness = handlers_.readiness();
    res.status = readiness.ready ? 200 : 503;
    res.set_content(readiness.ready ? "Ready\n" : "Not ready: " + readiness.detail + "\n",
                    "text/plain; charset=utf-8");
  });
  server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(handlers_.landing_page(), "text/html; charset=utf-8");
  });
  for (const std::string& path :
       {telemetry_route, std::string("/-/healthy"), std::string("/-/ready"), std::string("/")}) {
    server.Post(path, MethodNotAllowed);
    server.Put(path, MethodNotAllowed);
    server.Delete(path, MethodNotAllowed);
    server.Patch(path, MethodNotAllowed);
  }
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) res.set_content("not found\n", "text/plain; charset=utf-8");
  });
}

std::optional<std::string> MetricsServer::Bind() {
  const auto address = ParseListenAddress(options_.listen_address);
  if (!address) {
    return "--web.listen-address: \"" + options_.listen_address + "\" is not [host]:port";
  }
  const bool ok = address->port == 0 ? (port_ = server_->bind_to_any_port(address->host)) > 0
                                     : server_->bind_to_port(address->host, address->port);
  if (!ok) {
    return "cannot listen on " + options_.listen_address +
           " (address in use, or not an address of this machine)";
  }
  if (address->port != 0) port_ = address->port;
  return std::nullopt;
}

void MetricsServer::Start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib 0.11's stop() does nothing until the accept loop runs, so an early Stop() would
  // leave the thread in accept() forever; wait (bounded) until it is running.
  for (int i = 0; i < 2000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void MetricsServer::Stop() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace drmm
