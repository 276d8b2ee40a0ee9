// The exporter's HTTP face: the telemetry path (text format 0.0.4, gzip when the scraper asks),
// the landing page, /-/healthy, /-/ready and, with --web.enable-lifecycle, POST /-/reload; over
// TLS and behind basic auth when the web config says so. What each page says comes from the
// injected handlers, so this file knows nothing about polling.
//
// Built to face a network for months: Boost.Beast on Asio, where a connection costs a socket
// and a small buffer instead of a thread, so slow or idle clients cannot starve the scrapers.
// Every request must arrive whole within a deadline, headers are bounded in bytes and fields,
// connections and concurrent scrapes are capped, and an idle keep-alive connection is the
// first to go when the cap is reached. Beast and Asio stay inside metrics_server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/shared_body.h"
#include "exporter/web/web_config_watcher.h"

namespace drmm {

struct Readiness {
  bool ready = false;
  std::string detail;  // why not, in a sentence; shown in the 503 body
};

struct WebHandlers {
  // The exposition; `accepts_gzip` as the scraper's Accept-Encoding says. Called on the
  // server's I/O threads, concurrently: it must be quick and thread-safe.
  std::function<MetricsResponse(bool accepts_gzip)> metrics;
  std::function<Readiness()> readiness;
  std::function<std::string()> landing_page;  // HTML
  // POST /-/reload (with --web.enable-lifecycle): "" when the reload applied, otherwise why
  // not. Runs on the server's worker thread, so it may read files.
  std::function<std::string()> reload;
  // promhttp's handler metrics: a telemetry request started, and finished with this status.
  std::function<void()> scrape_started;
  std::function<void(int status)> scrape_finished;
  // The web config file changed and was re-read by the server's watch: applied (true) or not.
  std::function<void(bool applied)> web_config_reread;
};

// Bounds on what one client may hold. The defaults are what the exporter runs with
// (docs/security.md explains each); tests make them small.
struct WebLimits {
  // A request (headers and body) must arrive whole within this time of its first byte; the
  // first request of a connection within this time of the connection (TLS handshake included).
  std::chrono::milliseconds request_timeout{10'000};
  // A kept-alive connection may wait this long for its next request. Prometheus keeps its
  // scrape connection open between scrapes (intervals up to a few minutes).
  std::chrono::milliseconds idle_timeout{300'000};
  // Writing one response.
  std::chrono::milliseconds write_timeout{60'000};
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // request line and all header fields
  std::size_t max_header_fields = 100;
  std::size_t max_body_bytes = std::size_t{4} * 1024;  // no endpoint reads a body
  // Open connections. When all are taken, the one idle longest (waiting for a request) is
  // closed to make room; when none is idle, the new connection is closed.
  std::size_t max_connections = 512;
  // Telemetry requests served at once (promhttp's MaxRequestsInFlight); beyond, 503. 0: no cap.
  int max_requests_in_flight = 40;
  // Threads running the connections. A scrape only assembles shared pieces, so two serve many
  // scrapers; bcrypt checks and reloads run on a worker thread of their own.
  int io_threads = 2;
  // bcrypt checks and reloads waiting for the worker; beyond, 503.
  int max_pending_work = 16;
};

struct WebOptions {
  std::vector<std::string> listen_addresses = {":9768"};
  // Listening sockets handed over by the service manager (--web.systemd-socket), served
  // instead of listen_addresses when not empty. The server takes ownership.
  std::vector<int> inherited_sockets;
  std::string telemetry_path = "/metrics";
  bool enable_lifecycle = false;  // --web.enable-lifecycle: POST /-/reload
  WebLimits limits;
};

class MetricsServer {
 public:
  // `web_config` from LoadActiveWebConfig; the server re-reads its files when they change.
  MetricsServer(WebOptions options, WebHandlers handlers,
                std::shared_ptr<const ActiveWebConfig> web_config);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds every listen address (or adopts the inherited sockets); an error message names the
  // address and the reason. After success, ports() are the bound ports (useful with port 0).
  std::optional<std::string> Bind();
  // Serves on background threads until Stop().
  void Start();
  // Closes the listeners and every connection, and joins the threads. Bounded: nothing waits
  // for a client.
  void Stop();
  // The first listener's port, and each listener's address as bound ("[::]:9768").
  int port() const;
  std::vector<std::string> listening() const;
  // Applies a web config loaded (and checked) elsewhere: a reload.
  void ApplyWebConfig(std::shared_ptr<const ActiveWebConfig> web_config);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace drmm
