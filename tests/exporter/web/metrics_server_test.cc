// The web server on loopback: what each path answers, keep-alive, the request deadline and the
// idle timeout, the header and body limits, the cap on scrapes in flight (promhttp's 503), the
// cap on connections (the longest idle one makes room), several listen addresses with IPv6 and
// dual stack, inherited (systemd) sockets, /-/reload, and basic auth. Limits are made small so
// each case takes well under a second.
#include "exporter/web/metrics_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <thread>

#include "command.h"
#include "exporter/web/health_probe.h"
#include "exporter/web/landing_page.h"
#include "loopback_client.h"
#include "support/wait_for.h"
#include "test_server.h"

namespace drmm {
namespace {

using namespace std::chrono_literals;
using testing::After;
using testing::LoopbackSocket;
using testing::Scrape;
using testing::TestServer;
using testing::TestServerOptions;

constexpr const char* kSecretHash = "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW";
// base64("alice:s3cret-pass"), base64("alice:wrong")
constexpr const char* kAliceRight = "Authorization: Basic YWxpY2U6czNjcmV0LXBhc3M=\r\n";
constexpr const char* kAliceWrong = "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n";

std::string Header(const std::string& response, const std::string& name) {
  const auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + name.size() + 4;
  return response.substr(start, response.find("\r\n", start) - start);
}

std::string Body(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

std::unique_ptr<TestServer> Started(TestServerOptions options) {
  auto server = std::make_unique<TestServer>(std::move(options));
  const std::string error = server->Start();
  EXPECT_EQ(error, "");
  return server;
}

TEST(MetricsServer, ServesTheTextFormatOnTheTelemetryPath) {
  TestServerOptions options;
  options.telemetry_path = "/custom-metrics";
  auto server = Started(options);
  const auto scrape = Scrape(server->port(), "/custom-metrics", 5s);
  ASSERT_EQ(scrape.status, 200) << scrape.error;
  EXPECT_EQ(Header(scrape.response, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(Header(scrape.response, "Content-Length"), std::to_string(server->metrics_text.size()));
  EXPECT_EQ(Body(scrape.response), server->metrics_text) << "the two pieces, whole and in order";
  EXPECT_EQ(Header(scrape.response, "Content-Encoding"), "");
  EXPECT_EQ(server->scrapes, 1);
  EXPECT_EQ(Scrape(server->port(), "/metrics", 5s).status, 404)
      << "only the configured telemetry path serves metrics";
}

TEST(MetricsServer, TellsTheHandlerWhetherTheScraperTakesGzip) {
  TestServerOptions options;
  options.metrics = [](bool gzip) {
    MetricsResponse response;
    response.gzip = gzip;
    response.body.AppendOwned(gzip ? "compressed" : "plain");
    return response;
  };
  auto server = Started(options);
  const auto gzipped = Scrape(server->port(), "/metrics", 5s, "Accept-Encoding: gzip, br\r\n");
  ASSERT_EQ(gzipped.status, 200) << gzipped.error;
  EXPECT_EQ(server->last_accepts_gzip, 1);
  EXPECT_EQ(Header(gzipped.response, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(gzipped.response, "Vary"), "Accept-Encoding");
  EXPECT_EQ(Body(gzipped.response), "compressed");
  const auto refused = Scrape(server->port(), "/metrics", 5s, "Accept-Encoding: gzip;q=0\r\n");
  EXPECT_EQ(server->last_accepts_gzip, 0);
  EXPECT_EQ(Header(refused.response, "Content-Encoding"), "");
  EXPECT_EQ(Body(refused.response), "plain");
}

TEST(MetricsServer, HeadGetsTheHeadersOnly) {
  auto server = Started({});
  auto sock = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(sock);
  ASSERT_TRUE(sock->SendAll("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", After(2s)));
  // Framed by Content-Length, a HEAD response would look unfinished: read to the blank line.
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        sock->WaitClosed(After(50ms));
        return sock->received().find("\r\n\r\n") != std::string::npos;
      },
      2s));
  const std::string& response = sock->received();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_EQ(Header(response, "Content-Length"), std::to_string(server->metrics_text.size()));
  EXPECT_EQ(Body(response), "");
}

TEST(MetricsServer, HealthIsAlwaysOkAndReadinessFollowsThePoller) {
  auto server = Started({});
  EXPECT_EQ(Body(Scrape(server->port(), "/-/healthy", 5s).response), "Healthy\n");
  const auto not_ready = Scrape(server->port(), "/-/ready", 5s);
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(Body(not_ready.response), "Not ready: account acme not polled yet\n");
  server->ready = true;
  EXPECT_EQ(Scrape(server->port(), "/-/ready", 5s).status, 200);
}

TEST(MetricsServer, ServesTheLandingPageAndRefusesOtherMethodsAndPaths) {
  auto server = Started({});
  const auto landing = Scrape(server->port(), "/", 5s);
  EXPECT_EQ(landing.status, 200);
  EXPECT_EQ(Header(landing.response, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Body(landing.response), "<html>landing</html>");
  auto sock = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(sock);
  ASSERT_TRUE(sock->SendAll(
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx",
      After(2s)));
  const std::string post = sock->ReadResponse(After(2s));
  EXPECT_EQ(post.rfind("HTTP/1.1 405", 0), 0u) << post;
  EXPECT_EQ(Header(post, "Allow"), "GET, HEAD");
  EXPECT_EQ(Scrape(server->port(), "/nope", 5s).status, 404);
  EXPECT_EQ(server->scrapes, 0);
}

TEST(MetricsServer, ARenderingFailureIsA500NotACrash) {
  TestServerOptions options;
  options.metrics = [](bool) -> MetricsResponse { throw std::runtime_error("boom"); };
  auto server = Started(options);
  const auto scrape = Scrape(server->port(), "/metrics", 5s);
  EXPECT_EQ(scrape.status, 500);
  EXPECT_EQ(Body(scrape.response), "error rendering metrics: boom\n");
  EXPECT_EQ(Scrape(server->port(), "/-/healthy", 5s).status, 200) << "still serving";
  // Counted once the response is written, which the client may see first.
  EXPECT_TRUE(testing::WaitFor([&] { return !server->FinishedStatuses().empty(); }, 2s));
  EXPECT_EQ(server->FinishedStatuses(), std::vector<int>{500});
}

TEST(MetricsServer, ReportsAnAddressInUseAndABadAddress) {
  auto first = Started({});
  TestServerOptions second_options;
  second_options.listen_addresses = {"127.0.0.1:" + std::to_string(first->port())};
  TestServer second(second_options);
  EXPECT_EQ(second.Start(), "cannot listen on 127.0.0.1:" + std::to_string(first->port()) +
                                ": Address already in use");
  TestServerOptions bad_options;
  bad_options.listen_addresses = {"nonsense"};
  TestServer bad(bad_options);
  EXPECT_EQ(bad.Start(), "--web.listen-address: \"nonsense\" is not [host]:port");
}

TEST(MetricsServer, StopsRightAfterStartAndWithClientsConnected) {
  for (int i = 0; i < 20; ++i) {
    auto server = Started({});
    server->Stop();  // must not hang
  }
  auto server = Started({});
  auto idle = LoopbackSocket::Connect(server->port(), 2s);
  auto half = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(idle && half);
  half->SendAll("GET /metr", After(1s));
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  EXPECT_TRUE(idle->WaitClosed(After(1s)));
  EXPECT_TRUE(half->WaitClosed(After(1s)));
}

TEST(MetricsServer, KeepsConnectionsAliveAndClosesWhenAsked) {
  auto server = Started({});
  auto sock = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(sock);
  // Two requests in one write (pipelined), then a third.
  ASSERT_TRUE(sock->SendAll(
      "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
      After(2s)));
  EXPECT_EQ(Body(sock->ReadResponse(After(2s))), "Healthy\n");
  EXPECT_EQ(Body(sock->ReadResponse(After(2s))), server->metrics_text);
  ASSERT_TRUE(
      sock->SendAll("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", After(2s)));
  const std::string last = sock->ReadResponse(After(2s));
  EXPECT_EQ(Header(last, "Connection"), "close");
  EXPECT_TRUE(sock->WaitClosed(After(2s)));
  // HTTP/1.0 closes unless it asks for keep-alive.
  auto old = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(old);
  ASSERT_TRUE(old->SendAll("GET /-/healthy HTTP/1.0\r\n\r\n", After(2s)));
  EXPECT_EQ(Body(old->ReadResponse(After(2s))), "Healthy\n");
  EXPECT_TRUE(old->WaitClosed(After(2s)));
}

TEST(MetricsServer, ARequestMustArriveWholeWithinItsDeadline) {
  TestServerOptions options;
  options.limits.request_timeout = 300ms;
  auto server = Started(options);
  // Dripping a byte every 50 ms keeps each read short, but not the request.
  auto drip = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(drip);
  ASSERT_TRUE(drip->SendAll("GET /metrics HTTP/1.1\r\nX-Slow: ", After(1s)));
  const auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - start < 3s) {
    closed = !drip->SendSome("a").has_value() || drip->WaitClosed(After(50ms));
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(closed) << "the dripping connection was never closed";
  EXPECT_LT(took, 2s);
  EXPECT_EQ(drip->received(), "") << "a client that ran out of time gets no answer";
  // A connection that sends nothing at all gets the same deadline.
  auto silent = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(silent);
  EXPECT_TRUE(silent->WaitClosed(After(2s)));
}

TEST(MetricsServer, AKeptAliveConnectionIsClosedAfterItsIdleTimeout) {
  TestServerOptions options;
  options.limits.idle_timeout = 300ms;
  auto server = Started(options);
  auto sock = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(sock);
  ASSERT_TRUE(sock->SendAll("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", After(2s)));
  EXPECT_EQ(Body(sock->ReadResponse(After(2s))), "Healthy\n");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(sock->WaitClosed(After(3s)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(MetricsServer, HeadersAndBodiesAreBounded) {
  TestServerOptions options;
  options.limits.max_header_bytes = 2048;
  options.limits.max_header_fields = 10;
  options.limits.max_body_bytes = 16;
  auto server = Started(options);
  const auto send = [&](const std::string& request) {
    auto sock = LoopbackSocket::Connect(server->port(), 2s);
    if (!sock) return std::string("no connection");
    sock->SendAll(request, After(2s));
    std::string response = sock->ReadResponse(After(2s));
    EXPECT_TRUE(sock->WaitClosed(After(2s))) << "the connection stays open after a refusal";
    return response.substr(0, response.find("\r\n"));
  };
  EXPECT_EQ(send("GET /metrics HTTP/1.1\r\nX-Big: " + std::string(3000, 'b') + "\r\n\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  std::string many = "GET /metrics HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(send(many + "\r\n"), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(send("POST /-/reload HTTP/1.1\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'x')),
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(send("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n"),
            "HTTP/1.1 400 Bad Request");
  std::string ten = "GET /-/healthy HTTP/1.1\r\n";
  for (int i = 0; i < 9; ++i) ten += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(send(ten + "Connection: close\r\n\r\n"), "HTTP/1.1 200 OK") << "ten fields are fine";
}

TEST(MetricsServer, ScrapesBeyondTheInFlightCapGet503AsPromhttpGives) {
  TestServerOptions options;
  options.limits.max_requests_in_flight = 1;
  options.limits.io_threads = 3;  // the held scrape blocks one
  auto server = Started(options);
  server->HoldScrapes();
  std::thread held([&] { EXPECT_EQ(Scrape(server->port(), "/metrics", 10s).status, 200); });
  ASSERT_TRUE(testing::WaitFor([&] { return server->scrapes == 1; }, 5s));
  const auto refused = Scrape(server->port(), "/metrics", 5s);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(Body(refused.response), "Limit of concurrent requests reached (1), try again later.\n");
  EXPECT_EQ(Scrape(server->port(), "/-/healthy", 5s).status, 200) << "health is not capped";
  server->ReleaseScrapes();
  held.join();
  // In flight until its response is written, as in promhttp; the client may see it first.
  ASSERT_TRUE(testing::WaitFor([&] { return server->FinishedStatuses().size() == 2; }, 2s));
  EXPECT_EQ(Scrape(server->port(), "/metrics", 5s).status, 200);
  ASSERT_TRUE(testing::WaitFor([&] { return server->FinishedStatuses().size() == 3; }, 2s));
  EXPECT_EQ(server->scrapes_started, 3);
  EXPECT_EQ(server->FinishedStatuses(), (std::vector<int>{503, 200, 200}));
}

TEST(MetricsServer, TheLongestIdleConnectionMakesRoomWhenAllAreTaken) {
  TestServerOptions options;
  options.limits.max_connections = 4;
  auto server = Started(options);
  std::vector<LoopbackSocket> open;
  const auto connect = [&] {
    auto sock = LoopbackSocket::Connect(server->port(), 2s);
    ASSERT_TRUE(sock);
    open.push_back(std::move(*sock));
    std::this_thread::sleep_for(20ms);  // an order of arrival
  };
  for (int i = 0; i < 4; ++i) connect();
  // The oldest connection is used, so it is now the most recently active.
  ASSERT_TRUE(open[0].SendAll("GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", After(2s)));
  EXPECT_EQ(Body(open[0].ReadResponse(After(2s))), "Healthy\n");
  connect();  // makes room by closing open[1]
  connect();  // and open[2]
  EXPECT_TRUE(open[1].WaitClosed(After(2s)));
  EXPECT_TRUE(open[2].WaitClosed(After(2s)));
  EXPECT_FALSE(open[0].WaitClosed(After(100ms))) << "the recently used connection went first";
  EXPECT_FALSE(open[3].WaitClosed(After(100ms)));
  const auto scrape = Scrape(server->port(), "/metrics", 2s);
  EXPECT_EQ(scrape.status, 200) << scrape.error;
  EXPECT_TRUE(open[3].WaitClosed(After(2s))) << "next in line for the scrape";
}

TEST(MetricsServer, WhenEveryConnectionIsBusyANewOneIsClosed) {
  TestServerOptions options;
  options.limits.max_connections = 2;
  options.limits.io_threads = 3;  // the held scrapes block two
  auto server = Started(options);
  server->HoldScrapes();
  std::vector<std::thread> busy;
  for (int i = 0; i < 2; ++i) {
    busy.emplace_back([&] { EXPECT_EQ(Scrape(server->port(), "/metrics", 10s).status, 200); });
  }
  ASSERT_TRUE(testing::WaitFor([&] { return server->scrapes == 2; }, 5s));
  auto refused = LoopbackSocket::Connect(server->port(), 2s);
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->WaitClosed(After(2s)));
  server->ReleaseScrapes();
  for (auto& thread : busy) thread.join();
}

bool HaveIpv6Loopback() {
  const int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

TEST(MetricsServer, ListensOnSeveralAddressesIpv6AndDualStack) {
  ASSERT_TRUE(HaveIpv6Loopback()) << "these tests need ::1 (the CI machines have it)";
  TestServerOptions options;
  options.listen_addresses = {"127.0.0.1:0", "[::1]:0", ":0"};
  auto server = Started(options);
  const auto listening = server->server().listening();
  ASSERT_EQ(listening.size(), 3u);
  EXPECT_EQ(listening[0].rfind("127.0.0.1:", 0), 0u) << listening[0];
  EXPECT_EQ(listening[1].rfind("[::1]:", 0), 0u) << listening[1];
  EXPECT_EQ(listening[2].rfind("[::]:", 0), 0u) << "a wildcard listens on IPv6 and IPv4 at once";
  const auto port_of = [](const std::string& address) {
    return std::stoi(address.substr(address.rfind(':') + 1));
  };
  EXPECT_EQ(Scrape(port_of(listening[0]), "/-/healthy", 2s).status, 200);
  EXPECT_EQ(Scrape(port_of(listening[1]), "/-/healthy", 2s, "", "::1").status, 200);
  EXPECT_EQ(Scrape(port_of(listening[2]), "/-/healthy", 2s, "", "::1").status, 200);
  EXPECT_EQ(Scrape(port_of(listening[2]), "/-/healthy", 2s, "", "127.0.0.1").status, 200);
}

TEST(MetricsServer, ServesOnAnInheritedListeningSocket) {
  // What systemd hands over with socket activation: a socket already bound and listening.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  TestServerOptions options;
  options.inherited_sockets = {fd};
  options.listen_addresses = {"not used:1"};
  auto server = Started(options);
  EXPECT_EQ(Scrape(server->port(), "/-/healthy", 2s).status, 200);

  const int not_listening = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  TestServerOptions bad;
  bad.inherited_sockets = {not_listening};
  TestServer refused(bad);
  EXPECT_EQ(refused.Start(),
            "inherited socket " + std::to_string(not_listening) + " is not a listening TCP socket");
  close(not_listening);
}

TEST(MetricsServer, ReloadIsPostedToTheLifecycleApi) {
  const auto request = [](int port, const std::string& method) {
    auto sock = LoopbackSocket::Connect(port, 2s);
    if (!sock) return std::string();
    sock->SendAll(method + " /-/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                  After(2s));
    return sock->ReadResponse(After(5s));
  };
  auto disabled = Started({});
  const std::string forbidden = request(disabled->port(), "POST");
  EXPECT_EQ(forbidden.rfind("HTTP/1.1 403", 0), 0u) << forbidden;
  EXPECT_EQ(Body(forbidden), "Lifecycle API is not enabled.\n");
  EXPECT_EQ(disabled->reloads, 0);

  TestServerOptions options;
  options.enable_lifecycle = true;
  // Set here, read on the server's worker thread: guarded, since TSan does not count the
  // request on the socket as ordering the two.
  std::mutex mutex;
  std::string next_error;
  options.reload = [&] {
    std::lock_guard lock(mutex);
    return next_error;
  };
  auto server = Started(options);
  EXPECT_EQ(request(server->port(), "POST").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(request(server->port(), "PUT").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(server->reloads, 2);
  const std::string get = request(server->port(), "GET");
  EXPECT_EQ(get.rfind("HTTP/1.1 405", 0), 0u) << get;
  EXPECT_EQ(Header(get, "Allow"), "POST, PUT");
  {
    std::lock_guard lock(mutex);
    next_error = "config.yaml:3: accounts[0].plattform: unknown key";
  }
  const std::string failed = request(server->port(), "POST");
  EXPECT_EQ(failed.rfind("HTTP/1.1 500", 0), 0u) << failed;
  EXPECT_EQ(Body(failed),
            "failed to reload config: config.yaml:3: accounts[0].plattform: unknown key\n");
}

class BasicAuthServer : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteTextFile(dir_.File("web.yml"),
                           "basic_auth_users:\n  alice: " + std::string(kSecretHash) +
                               "\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n");
    TestServerOptions options;
    options.web_config_file = dir_.File("web.yml");
    server_ = Started(options);
  }

  testing::ScratchDir dir_{"drmm-web-auth"};
  std::unique_ptr<TestServer> server_;
};

TEST_F(BasicAuthServer, EveryPathNeedsTheRightCredentials) {
  for (const char* path : {"/metrics", "/", "/-/healthy", "/-/ready", "/nope"}) {
    SCOPED_TRACE(path);
    for (const char* credentials : {"", kAliceWrong, "Authorization: Basic bm9ib2R5Og==\r\n",
                                    "Authorization: Bearer abc\r\n"}) {
      const auto scrape = Scrape(server_->port(), path, 5s, credentials);
      EXPECT_EQ(scrape.status, 401) << credentials;
      EXPECT_EQ(Header(scrape.response, "WWW-Authenticate"), "Basic");
      EXPECT_EQ(Header(scrape.response, "X-Frame-Options"), "deny") << "on refusals too";
    }
  }
  EXPECT_EQ(server_->scrapes, 0);
  for (int i = 0; i < 3; ++i) {  // the first checks bcrypt, the others hit the cache
    const auto scrape = Scrape(server_->port(), "/metrics", 5s, kAliceRight);
    EXPECT_EQ(scrape.status, 200) << scrape.error;
    EXPECT_EQ(Header(scrape.response, "X-Frame-Options"), "deny");
  }
  EXPECT_EQ(server_->scrapes, 3);
}

TEST_F(BasicAuthServer, TheHealthProbeTakesTheChallengeAsAnAnswer) {
  std::string detail;
  EXPECT_TRUE(server_->ProbeHealthy(&detail)) << detail;
  EXPECT_EQ(detail,
            "HTTP 401 with a Basic challenge: basic auth is on and the server answers "
            "(127.0.0.1:" +
                std::to_string(server_->port()) + ")");
}

TEST_F(BasicAuthServer, ChangedUsersApplyToTheNextRequestWithoutARestart) {
  ASSERT_EQ(Scrape(server_->port(), "/metrics", 5s, kAliceRight).status, 200);
  // bob (password "other") replaces alice.
  testing::WriteTextFile(dir_.File("web.yml"),
                         "basic_auth_users:\n  bob: "
                         "$2b$04$W606ptVQUmV3LUH5IxkSoOK0p9SHkV7hYvzb89JGPE5g6h.Dm1UA2\n");
  EXPECT_EQ(Scrape(server_->port(), "/metrics", 5s, kAliceRight).status, 401);
  EXPECT_EQ(Scrape(server_->port(), "/metrics", 5s, "Authorization: Basic Ym9iOm90aGVy\r\n").status,
            200);
  EXPECT_EQ(server_->web_config_rereads_applied, 1);
  // A broken change is refused once; the running config stays.
  testing::WriteTextFile(dir_.File("web.yml"), "basic_auth_users:\n  bob: not-a-hash\n");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        Scrape(server_->port(), "/metrics", 5s, "Authorization: Basic Ym9iOm90aGVy\r\n").status,
        200);
  }
  EXPECT_EQ(server_->web_config_rereads_failed, 1);
}

TEST(MetricsServer, TheHealthProbeSeesARunningExporter) {
  auto server = Started({});
  std::string detail;
  const std::string where = "(127.0.0.1:" + std::to_string(server->port()) + ")";
  EXPECT_EQ(ProbeHealth("127.0.0.1:" + std::to_string(server->port()), "", &detail), 0) << detail;
  EXPECT_EQ(detail, "HTTP 200 " + where);
  EXPECT_EQ(ProbeHealth(":" + std::to_string(server->port()), "", &detail), 0)
      << "a wildcard listen address is probed on loopback: " << detail;
  server->Stop();
  EXPECT_EQ(ProbeHealth("127.0.0.1:" + std::to_string(server->port()), "", &detail), 1);
  // cpp-httplib names the error ("Connection" in Debian 12's 0.11, "Could not establish
  // connection" in Debian 13's): what the probe adds around it is what is checked.
  EXPECT_THAT(detail, ::testing::StartsWith("no answer: "));
  EXPECT_THAT(detail, ::testing::HasSubstr("onnection"));
  EXPECT_THAT(detail, ::testing::EndsWith(" " + where));
  EXPECT_EQ(ProbeHealth(":0", "", &detail), 1);
  EXPECT_EQ(detail, "--web.listen-address \":0\" names no fixed port to probe");
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
