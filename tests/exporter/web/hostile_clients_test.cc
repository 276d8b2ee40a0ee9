// The web server against hostile clients on loopback, each case while a well-behaved scraper
// scrapes /metrics every 100 ms and the health probe (what --healthcheck runs) asks /-/healthy
// every 250 ms: 8 slowloris connections dripping header bytes, 500 idle connections, 64 MB of
// headers in 100-byte lines, and TLS ClientHellos sent to the plain-HTTP port. Every scrape must
// succeed within 1 s, every probe must say healthy, and the resident set size must come back
// to where it was (the figures are printed). Each case is bounded in connections and in time
// (a few seconds), so a server that fails them fails fast instead of hanging the suite.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "loopback_client.h"
#include "test_server.h"

namespace drmm {
namespace {

using namespace std::chrono_literals;
using testing::After;
using testing::LoopbackSocket;

constexpr auto kScrapeTimeout = 1s;
constexpr auto kScrapeEvery = 100ms;
constexpr auto kProbeEvery = 250ms;
// Allowed growth of the resident set after an attack: the server's own caches and allocator
// slack, far below what buffering an attack's bytes would cost. The sanitizers keep shadow
// memory for every byte touched and hold freed memory back (ThreadSanitizer's overhead is 5-10
// times the program's), so their builds get room for that.
#if defined(__SANITIZE_THREAD__)
constexpr std::size_t kRssSlackBytes = 128u << 20;
#elif defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kRssSlackBytes = 48u << 20;
#else
constexpr std::size_t kRssSlackBytes = 16u << 20;
#endif

// What the well-behaved clients saw while an attack ran.
struct AttackRecord {
  int scrapes = 0;
  std::vector<std::string> scrape_failures;
  double slowest_scrape_seconds = 0;
  int probes = 0;
  std::vector<std::string> probe_failures;
  std::size_t peak_rss = 0;
};

// A real TLS ClientHello as OpenSSL's client sends it first on a connection.
std::string ClientHello() {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(context);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  // SSL_set_tlsext_host_name without its C cast.
  char host[] = "localhost";
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host);
  SSL_connect(ssl);  // wants to read the ServerHello; the ClientHello is in `out`
  char* data = nullptr;
  const long size = BIO_ctrl(out, BIO_CTRL_INFO, 0, static_cast<void*>(&data));
  std::string hello(data, static_cast<std::size_t>(size));
  SSL_free(ssl);
  SSL_CTX_free(context);
  return hello;
}

class HostileClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(testing::RaiseOpenFileLimit(), 1100) << "the idle-connections case needs 1100 files";
    server_ = testing::StartTestServer();
    ASSERT_NE(server_, nullptr);
    port_ = server_->port();
    for (int i = 0; i < 3; ++i) {
      const auto warm = testing::Scrape(port_, "/metrics", kScrapeTimeout);
      ASSERT_EQ(warm.status, 200) << warm.error << warm.response;
    }
    baseline_rss_ = testing::ResidentBytes();
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  // Runs `attack` on a thread of its own for `duration` while scraping and probing; the attack
  // gets a stop request when the time is up and must return promptly.
  AttackRecord UnderAttack(const std::function<void(std::stop_token)>& attack,
                           std::chrono::milliseconds duration) {
    AttackRecord record;
    std::mutex mutex;
    std::jthread attacker(attack);
    std::jthread prober([&](std::stop_token stop) {
      while (!stop.stop_requested()) {
        std::string detail;
        const bool healthy = server_->ProbeHealthy(&detail);
        {
          std::lock_guard lock(mutex);
          ++record.probes;
          if (!healthy) record.probe_failures.push_back(detail);
        }
        std::this_thread::sleep_for(kProbeEvery);
      }
    });
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
      const auto scrape = testing::Scrape(port_, "/metrics", kScrapeTimeout);
      {
        std::lock_guard lock(mutex);
        ++record.scrapes;
        record.slowest_scrape_seconds = std::max(record.slowest_scrape_seconds, scrape.seconds);
        if (scrape.status != 200 || scrape.seconds > 1.0) {
          record.scrape_failures.push_back("status " + std::to_string(scrape.status) + " after " +
                                           std::to_string(scrape.seconds) + " s " + scrape.error);
        }
        record.peak_rss = std::max(record.peak_rss, testing::ResidentBytes());
      }
      std::this_thread::sleep_for(kScrapeEvery);
    }
    attacker.request_stop();
    prober.request_stop();
    attacker.join();
    prober.join();
    return record;
  }

  // The scrapes and probes all went well, and the resident set is back near its baseline once
  // the attack's connections are gone. Prints the figures.
  void ExpectUnharmed(const AttackRecord& record, const std::string& name) {
    EXPECT_GT(record.scrapes, 5);
    EXPECT_TRUE(record.scrape_failures.empty())
        << record.scrape_failures.size() << " of " << record.scrapes
        << " scrapes failed; first: " << record.scrape_failures.front();
    EXPECT_GT(record.probes, 2);
    EXPECT_TRUE(record.probe_failures.empty())
        << record.probe_failures.size() << " of " << record.probes
        << " health probes failed; first: " << record.probe_failures.front();
    // Give the server a moment to notice the closed connections and free what they held.
    std::size_t after = 0;
    for (int i = 0; i < 20; ++i) {
      after = testing::ResidentBytes();
      if (after <= baseline_rss_ + kRssSlackBytes) break;
      std::this_thread::sleep_for(100ms);
    }
    std::cout << "[figures] " << name << ": " << record.scrapes << " scrapes, "
              << record.scrape_failures.size() << " failed, slowest "
              << record.slowest_scrape_seconds << " s; " << record.probes << " health probes, "
              << record.probe_failures.size() << " unhealthy; RSS baseline " << baseline_rss_ / 1024
              << " KiB, peak " << record.peak_rss / 1024 << " KiB, after " << after / 1024
              << " KiB\n";
    EXPECT_LE(after, baseline_rss_ + kRssSlackBytes)
        << "RSS grew by " << (after - baseline_rss_) / 1024 << " KiB";
  }

  std::unique_ptr<testing::TestServer> server_;
  int port_ = 0;
  std::size_t baseline_rss_ = 0;
};

TEST_F(HostileClientsTest, EightSlowlorisConnectionsDoNotStopScrapes) {
  const auto record = UnderAttack(
      [this](std::stop_token stop) {
        std::vector<LoopbackSocket> drips;
        for (int i = 0; i < 8; ++i) {
          auto sock = LoopbackSocket::Connect(port_, 1s);
          if (!sock) continue;
          sock->SendAll("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", After(1s));
          drips.push_back(std::move(*sock));
        }
        // One header byte per connection every second, never finishing the request.
        while (!stop.stop_requested()) {
          for (auto& drip : drips) drip.SendSome("a");
          for (int i = 0; i < 10 && !stop.stop_requested(); ++i) std::this_thread::sleep_for(100ms);
        }
      },
      4s);
  ExpectUnharmed(record, "8 slowloris connections");
}

TEST_F(HostileClientsTest, FiveHundredIdleConnectionsDoNotDelayScrapes) {
  const auto record = UnderAttack(
      [this](std::stop_token stop) {
        std::vector<LoopbackSocket> idle;
        const auto open_until = After(3s);
        while (idle.size() < 500 && std::chrono::steady_clock::now() < open_until &&
               !stop.stop_requested()) {
          if (auto sock = LoopbackSocket::Connect(port_, 200ms)) idle.push_back(std::move(*sock));
        }
        while (!stop.stop_requested()) std::this_thread::sleep_for(20ms);
      },
      4s);
  ExpectUnharmed(record, "500 idle connections");
}

TEST_F(HostileClientsTest, SixtyFourMegabytesOfHeadersAreCutOffEarly) {
  constexpr std::size_t kFlood = 64u << 20;
  std::atomic<std::size_t> sent{0};
  std::atomic<bool> cut_off{false};
  std::string answer;
  const auto record = UnderAttack(
      [&](std::stop_token stop) {
        auto sock = LoopbackSocket::Connect(port_, 1s);
        if (!sock) return;
        sock->SendAll("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n", After(1s));
        // 100-byte header lines, written as fast as the server takes them.
        std::string lines;
        for (int i = 0; i < 1000; ++i) {
          std::string line = "X-Flood-" + std::to_string(100000 + i) + ": ";
          line.append(98 - line.size(), 'f');
          lines += line + "\r\n";
        }
        std::size_t offset = 0;
        while (sent < kFlood && !stop.stop_requested()) {
          const auto took = sock->SendSome(std::string_view(lines).substr(offset));
          if (!took) {  // the server closed the connection
            cut_off = true;
            break;
          }
          sent += *took;
          offset = (offset + *took) % lines.size();
          if (*took == 0) std::this_thread::sleep_for(1ms);
        }
        sock->WaitClosed(After(200ms));
        answer = sock->received();
      },
      4s);
  std::cout << "[figures] header flood: " << sent / 1024 << " KiB sent, "
            << (cut_off ? "then the server closed the connection"
                        : "and the server was still taking more")
            << "\n";
  EXPECT_TRUE(cut_off) << "the server kept reading headers: " << sent / 1024 << " KiB";
  EXPECT_LT(sent, kFlood);
  EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << answer.substr(0, 200);
  ExpectUnharmed(record, "64 MiB of headers");
}

TEST_F(HostileClientsTest, TlsClientHellosOnThePlainPortAreTurnedAwayAtOnce) {
  const std::string hello = ClientHello();
  ASSERT_GT(hello.size(), 50u);
  ASSERT_EQ(hello[0], '\x16') << "not a TLS handshake record";
  std::atomic<int> closed_within_a_second{0};
  const auto record = UnderAttack(
      [&](std::stop_token stop) {
        std::vector<LoopbackSocket> hellos;
        for (int i = 0; i < 8; ++i) {
          auto sock = LoopbackSocket::Connect(port_, 1s);
          if (!sock) continue;
          sock->SendAll(hello, After(1s));
          hellos.push_back(std::move(*sock));
        }
        for (auto& sock : hellos) {
          if (sock.WaitClosed(After(1s))) ++closed_within_a_second;
        }
        while (!stop.stop_requested()) std::this_thread::sleep_for(20ms);
      },
      3s);
  EXPECT_EQ(closed_within_a_second, 8) << "a ClientHello held a connection open";
  ExpectUnharmed(record, "8 TLS ClientHellos on the plain port");
}

}  // namespace
}  // namespace drmm
