#include "test_server.h"

#include <chrono>
#include <thread>

#include "exporter/web/health_probe.h"

namespace drmm::testing {

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  metrics_text = "# HELP datto_rmm_up x\n# TYPE datto_rmm_up gauge\n";
  for (int i = 0; i < 500; ++i) {
    metrics_text += "datto_rmm_up{account=\"a" + std::to_string(i) + "\"} 1\n";
  }
}

TestServer::~TestServer() {
  ReleaseScrapes();
  Stop();
}

std::string TestServer::Start() {
  auto web = LoadActiveWebConfig(options_.web_config_file);
  if (!web.ok()) {
    std::string out;
    for (const auto& error : web.error()) out += error.ToString() + "\n";
    return out;
  }
  WebHandlers handlers;
  handlers.metrics = [this](bool accepts_gzip) {
    ++scrapes;
    last_accepts_gzip = accepts_gzip ? 1 : 0;
    if (options_.metrics) return options_.metrics(accepts_gzip);
    for (int i = 0; i < 5000 && hold_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    MetricsResponse response;
    // Two pieces, as the exposition hands them over: the server must write both, in order.
    const std::size_t half = metrics_text.size() / 2;
    response.body.AppendOwned(metrics_text.substr(0, half));
    response.body.AppendOwned(metrics_text.substr(half));
    return response;
  };
  handlers.readiness = [this] { return Readiness{ready.load(), "account acme not polled yet"}; };
  handlers.landing_page = [] { return std::string("<html>landing</html>"); };
  handlers.reload = [this] {
    ++reloads;
    return options_.reload ? options_.reload() : std::string();
  };
  handlers.scrape_started = [this] { ++scrapes_started; };
  handlers.scrape_finished = [this](int status) {
    std::lock_guard lock(mutex_);
    finished_.push_back(status);
  };
  handlers.web_config_reread = [this](bool applied) {
    ++(applied ? web_config_rereads_applied : web_config_rereads_failed);
  };
  WebOptions web_options;
  web_options.listen_addresses = options_.listen_addresses;
  web_options.inherited_sockets = options_.inherited_sockets;
  web_options.telemetry_path = options_.telemetry_path;
  web_options.enable_lifecycle = options_.enable_lifecycle;
  web_options.limits = options_.limits;
  server_ = std::make_unique<MetricsServer>(std::move(web_options), std::move(handlers),
                                            std::move(web).value());
  if (auto error = server_->Bind()) return *error;
  server_->Start();
  return "";
}

void TestServer::Stop() {
  if (server_) server_->Stop();
}

bool TestServer::ProbeHealthy(std::string* detail) {
  return ProbeHealth("127.0.0.1:" + std::to_string(port()), options_.web_config_file, detail) == 0;
}

std::vector<int> TestServer::FinishedStatuses() {
  std::lock_guard lock(mutex_);
  return finished_;
}

void TestServer::HoldScrapes() { hold_ = true; }
void TestServer::ReleaseScrapes() { hold_ = false; }

std::unique_ptr<TestServer> StartTestServer() {
  auto server = std::make_unique<TestServer>(TestServerOptions{});
  if (!server->Start().empty()) return nullptr;
  return server;
}

}  // namespace drmm::testing
