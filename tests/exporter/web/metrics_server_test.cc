#include "exporter/web/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

#include "exporter/web/health_probe.h"
#include "exporter/web/landing_page.h"

namespace drmm {
namespace {

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WebHandlers handlers;
    handlers.render_metrics = [this] {
      ++scrapes_;
      // Large enough that compressing it is worth it.
      std::string text = "# HELP datto_rmm_up x\n# TYPE datto_rmm_up gauge\n";
      for (int i = 0; i < 500; ++i)
        text += "datto_rmm_up{account=\"a" + std::to_string(i) + "\"} 1\n";
      return text;
    };
    handlers.readiness = [this] { return Readiness{ready_.load(), "account acme not polled yet"}; };
    handlers.landing_page = [] { return std::string("<html>landing</html>"); };
    server_ = std::make_unique<MetricsServer>(WebOptions{"127.0.0.1:0", "/custom-metrics"},
                                              std::move(handlers));
    ASSERT_EQ(server_->Bind(), std::nullopt);
    server_->Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(std::chrono::seconds(5));
    client_->set_decompress(false);  // so the test sees what travels on the wire
  }

  std::atomic<int> scrapes_{0};
  std::atomic<bool> ready_{false};
  std::unique_ptr<MetricsServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(MetricsServerTest, ServesTheTextFormatOnTheTelemetryPath) {
  auto res = client_->Get("/custom-metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->body.rfind("# HELP datto_rmm_up", 0), 0u);
  EXPECT_EQ(scrapes_, 1);
  auto old_path = client_->Get("/metrics");
  ASSERT_TRUE(old_path);
  EXPECT_EQ(old_path->status, 404) << "only the configured telemetry path serves metrics";
}

TEST_F(MetricsServerTest, CompressesWithGzipWhenTheScraperAsks) {
  auto res = client_->Get("/custom-metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(res->body.size(), 5000u) << "the body was not compressed";
  auto plain = client_->Get("/custom-metrics");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
}

TEST_F(MetricsServerTest, HealthIsAlwaysOkAndReadinessFollowsThePoller) {
  auto healthy = client_->Get("/-/healthy");
  ASSERT_TRUE(healthy);
  EXPECT_EQ(healthy->status, 200);
  auto not_ready = client_->Get("/-/ready");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("account acme not polled yet"), std::string::npos);
  ready_ = true;
  auto ready = client_->Get("/-/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
}

TEST_F(MetricsServerTest, ServesTheLandingPageAndRefusesOtherMethodsAndPaths) {
  auto landing = client_->Get("/");
  ASSERT_TRUE(landing);
  EXPECT_EQ(landing->status, 200);
  EXPECT_EQ(landing->body, "<html>landing</html>");
  auto post = client_->Post("/custom-metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto missing = client_->Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(scrapes_, 0);
}

TEST_F(MetricsServerTest, ARenderingFailureIsA500NotACrash) {
  WebHandlers handlers;
  handlers.render_metrics = []() -> std::string { throw std::runtime_error("boom"); };
  handlers.readiness = [] { return Readiness{true, ""}; };
  handlers.landing_page = [] { return std::string(); };
  MetricsServer failing({"127.0.0.1:0", "/metrics"}, std::move(handlers));
  ASSERT_EQ(failing.Bind(), std::nullopt);
  failing.Start();
  httplib::Client client("127.0.0.1", failing.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("boom"), std::string::npos);
}

TEST(MetricsServer, ReportsAnAddressInUse) {
  WebHandlers handlers{[] { return std::string(); }, [] { return Readiness{}; },
                       [] { return std::string(); }};
  MetricsServer first({"127.0.0.1:0", "/metrics"}, handlers);
  ASSERT_EQ(first.Bind(), std::nullopt);
  MetricsServer second({"127.0.0.1:" + std::to_string(first.port()), "/metrics"}, handlers);
  const auto error = second.Bind();
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot listen on 127.0.0.1:"), std::string::npos) << *error;
  MetricsServer bad({"nonsense", "/metrics"}, handlers);
  EXPECT_EQ(bad.Bind(), "--web.listen-address: \"nonsense\" is not [host]:port");
}

TEST(MetricsServer, TheTelemetryPathIsLiteralNotAPattern) {
  WebHandlers handlers{[] { return std::string("up 1\n"); }, [] { return Readiness{}; },
                       [] { return std::string(); }};
  MetricsServer server({"127.0.0.1:0", "/v1.0/metrics"}, handlers);
  ASSERT_EQ(server.Bind(), std::nullopt);
  server.Start();
  httplib::Client client("127.0.0.1", server.port());
  auto exact = client.Get("/v1.0/metrics");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->status, 200);
  auto lookalike = client.Get("/v1x0/metrics");
  ASSERT_TRUE(lookalike);
  EXPECT_EQ(lookalike->status, 404) << "the '.' was read as a regex wildcard";
  auto post = client.Post("/v1.0/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST(MetricsServer, StopsRightAfterStart) {
  WebHandlers handlers{[] { return std::string(); }, [] { return Readiness{}; },
                       [] { return std::string(); }};
  for (int i = 0; i < 20; ++i) {
    MetricsServer server({"127.0.0.1:0", "/metrics"}, handlers);
    ASSERT_EQ(server.Bind(), std::nullopt);
    server.Start();
    server.Stop();  // must not hang
  }
}

TEST_F(MetricsServerTest, TheHealthProbeSeesARunningExporter) {
  std::string detail;
  EXPECT_EQ(ProbeHealth("127.0.0.1:" + std::to_string(server_->port()), &detail), 0) << detail;
  EXPECT_EQ(detail, "HTTP 200");
  EXPECT_EQ(ProbeHealth(":" + std::to_string(server_->port()), &detail), 0)
      << "a wildcard listen address is probed on loopback: " << detail;
  server_->Stop();
  EXPECT_EQ(ProbeHealth("127.0.0.1:" + std::to_string(server_->port()), &detail), 1);
  EXPECT_NE(detail.find("no answer from 127.0.0.1:"), std::string::npos) << detail;
  EXPECT_EQ(ProbeHealth(":0", &detail), 1);
}

TEST(LandingPage, ShowsEachAccountAndEscapesWhatItPrints) {
  Snapshot snapshot;
  AccountSnapshot account;
  account.account = "acme <&> co";
  account.up = true;
  CollectorStatus alerts;
  alerts.name = "alerts";
  alerts.ran = true;
  alerts.last_success = false;
  alerts.last_success_unix = 1000;
  account.collectors = {alerts};
  snapshot.accounts.push_back(account);
  const auto html = RenderLandingPage({"1.2.3", "abc", "/metrics", 1090}, snapshot);
  EXPECT_NE(html.find("acme &lt;&amp;&gt; co"), std::string::npos);
  EXPECT_EQ(html.find("acme <&>"), std::string::npos);
  EXPECT_NE(html.find("<b>failing</b> (last success 90 s ago)"), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"/metrics\""), std::string::npos);
  EXPECT_NE(html.find("Version 1.2.3"), std::string::npos);
}

}  // namespace
}  // namespace drmm
