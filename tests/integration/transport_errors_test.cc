// What a collector reports when the API cannot be reached, end to end through the real
// transport: the log line must name the host and port and the cause (issue 14 saw both DNS
// failures and refused connections logged as a bare "error=Connection"). Loopback only: a DNS
// failure would need a resolver, so "cannot resolve host" is left to the transport's own tests.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stop_token>
#include <string>

#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "support/log_capture.h"

namespace drmm {
namespace {

using ::testing::HasSubstr;

// A loopback port nobody listens on: bound, then closed (nothing else on 127.0.0.1 takes a
// port from the ephemeral range in the instant before the test connects).
int ClosedLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string FailureLine(const std::string& base_url) {
  Config config;
  AccountConfig account;
  account.name = "acme";
  account.base_url = base_url;
  account.api_key = "demo-key";
  account.api_secret = "demo-secret";
  account.connect_timeout = std::chrono::seconds(2);
  config.accounts = {account};
  SelfMetrics self("test", "test");
  PollerTuning tuning;
  tuning.retry.max_attempts = 2;
  tuning.retry.initial_backoff = std::chrono::milliseconds(5);
  tuning.retry.max_backoff = std::chrono::milliseconds(10);
  testing::LogCapture log;
  Poller poller(
      config, [&](const std::string& a) -> datto::ApiObserver& { return self.ObserverFor(a); },
      SystemClock(), Poller::DefaultTransport, tuning);
  std::stop_source stop;
  EXPECT_FALSE(poller.accounts().front()->poller->RunOnce(Collector::kSites, stop.get_token()));
  for (const auto& line : log.lines()) {
    if (line.find("collector failed") != std::string::npos) return line;
  }
  ADD_FAILURE() << "no 'collector failed' line among " << log.lines().size() << " lines";
  return "";
}

TEST(TransportErrors, RefusedConnectionNamesHostPortAndCause) {
  const int port = ClosedLoopbackPort();
  const std::string line = FailureLine("http://127.0.0.1:" + std::to_string(port));
  EXPECT_THAT(line, HasSubstr("collector=sites"));
  EXPECT_THAT(line, HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(line, HasSubstr("refused"));
}

}  // namespace
}  // namespace drmm
