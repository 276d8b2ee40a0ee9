// The exporter's HTTP face, served by one cpp-httplib server (prometheus-cpp's CivetWeb-based
// Exposer crashes on TLS with Debian's OpenSSL 3, see STYLE.md): the telemetry path (text format
// 0.0.4, gzip when the scraper asks), the landing page, /-/healthy and /-/ready. What each page
// says comes from the injected handlers, so this file knows nothing about polling.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace drmm {

struct Readiness {
  bool ready = false;
  std::string detail;  // why not, in a sentence; shown in the 503 body
};

struct WebHandlers {
  std::function<std::string()> render_metrics;  // exposition text
  std::function<Readiness()> readiness;
  std::function<std::string()> landing_page;  // HTML
};

struct WebOptions {
  std::string listen_address = ":9768";
  std::string telemetry_path = "/metrics";
};

class MetricsServer {
 public:
  MetricsServer(WebOptions options, WebHandlers handlers);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds the listen address; returns an error message (address in use, bad address) on
  // failure. After success, port() is the bound port (useful with port 0).
  std::optional<std::string> Bind();
  // Serves on a background thread until Stop().
  void Start();
  void Stop();
  int port() const { return port_; }

 private:
  void Route();

  const WebOptions options_;
  const WebHandlers handlers_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace drmm
