// A MetricsServer on loopback with simple handlers that count what they are asked, for the
// web server's tests: the body is 500 lines of exposition text (large enough to compress).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/web/metrics_server.h"

namespace drmm::testing {

struct TestServerOptions {
  std::vector<std::string> listen_addresses = {"127.0.0.1:0"};
  std::vector<int> inherited_sockets;
  std::string web_config_file;  // "": plain HTTP, no auth
  WebLimits limits;
  bool enable_lifecycle = false;
  std::function<std::string()> reload;           // the reload handler; default: succeeds
  std::function<MetricsResponse(bool)> metrics;  // default: metrics_text in two pieces
  std::string telemetry_path = "/metrics";
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options);
  ~TestServer();

  // "" on success, otherwise why the server did not start.
  std::string Start();
  void Stop();
  int port() const { return server_->port(); }
  MetricsServer& server() { return *server_; }
  // What --healthcheck does, against this server (its first address, its web config).
  bool ProbeHealthy(std::string* detail);

  std::string metrics_text;                // what the metrics handler serves
  std::atomic<int> scrapes{0};             // metrics handler calls
  std::atomic<int> last_accepts_gzip{-1};  // what the server told the handler
  std::atomic<bool> ready{false};          // what /-/ready says
  std::atomic<int> reloads{0};
  std::atomic<int> web_config_rereads_applied{0};
  std::atomic<int> web_config_rereads_failed{0};
  // Statuses scrape_finished reported, and scrape_started calls.
  std::atomic<int> scrapes_started{0};
  std::vector<int> FinishedStatuses();
  // Blocks the metrics handler until released (to hold requests in flight).
  void HoldScrapes();
  void ReleaseScrapes();

 private:
  TestServerOptions options_;
  std::unique_ptr<MetricsServer> server_;
  std::mutex mutex_;
  std::vector<int> finished_;
  std::atomic<bool> hold_{false};
};

// A plain-HTTP server with default limits; nullptr when it cannot start.
std::unique_ptr<TestServer> StartTestServer();

}  // namespace drmm::testing
