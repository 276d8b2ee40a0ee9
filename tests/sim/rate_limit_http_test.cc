// The rate window over HTTP: what counts, the delay above the cut-off, 429 with Retry-After, the
// block after continued requests and its expiry, and other consumers of the same budget.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

#include "sim/simulator.h"
#include "sim_test_client.h"
#include "support/fake_clock.h"

namespace drmm::sim {
namespace {

using drmm::testing::FakeClock;
using sim::testing::Reply;
using sim::testing::TestClient;
using sim::testing::TestOptions;
using std::chrono::milliseconds;
using std::chrono::seconds;

class SimRateLimitTest : public ::testing::Test {
 protected:
  void Start(SimulatorOptions options, Clock& clock) {
    sim_ = std::make_unique<Simulator>(std::move(options), clock);
    client_ = std::make_unique<TestClient>(sim_->Start());
  }
  static SimulatorOptions Limited() {
    SimulatorOptions o = TestOptions();
    o.rate_limit = 20;
    o.rate_window = seconds(10);
    o.throttle_delay = seconds(1);
    o.block_after = 3;
    o.block_duration = seconds(30);
    return o;
  }
  std::int64_t AccountCount(const std::string& token) {
    return client_->Get("/api/v2/system/request_rate", token).Json()["accountCount"];
  }

  FakeClock clock_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<TestClient> client_;
};

TEST_F(SimRateLimitTest, EveryApiRequestCountsAdminPathsDoNot) {
  Start(TestOptions(), clock_);
  const std::string token = client_->Token();                  // 1
  client_->Get("/api/v2/account");                             // 2: 401
  client_->Get("/api/v2/nothing/here", token);                 // 3: 404
  client_->Send("POST", "/api/v2/account", "", "text/plain");  // 4: 401 before 405
  client_->Get("/__sim/ground-truth");
  client_->Get("/__sim/requests");
  EXPECT_EQ(AccountCount(token), 5);  // this request included
  const nlohmann::json rate = client_->Get("/api/v2/system/request_rate", token).Json();
  EXPECT_EQ(rate["slidingTimeWindowSizeSeconds"], 60);
  clock_.Advance(seconds(60));
  EXPECT_EQ(AccountCount(token), 1);  // the window slid past all of them
}

TEST_F(SimRateLimitTest, DelayAboveTheCutoffThen429WithRetryAfter) {
  Start(Limited(), clock_);
  const std::string token = client_->Token();
  for (int i = 2; i <= 18; ++i) EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  EXPECT_TRUE(clock_.Sleeps().empty());  // at 18 of 20 the window is at, not above, 90%
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);  // 19: delayed 1 s
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);  // 20: delayed 1 s
  ASSERT_EQ(clock_.Sleeps().size(), 2u);
  EXPECT_EQ(clock_.Sleeps()[0], seconds(1));
  // 21 at t0+2 s: the window is full until the first request (t0) leaves at t0+10 s.
  const Reply over = client_->Get("/api/v2/account", token);
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.Header("Retry-After"), "8");
  EXPECT_EQ(clock_.Sleeps().size(), 2u);  // 429s are not delayed
  clock_.Advance(seconds(8));
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  const nlohmann::json log = sim_->RequestLog();
  EXPECT_EQ(log["by_status"]["429"], 1);
}

TEST_F(SimRateLimitTest, ContinuingAfter429LeadsToABlockThatExpires) {
  SimulatorOptions options = Limited();
  options.throttle_delay = milliseconds(0);
  Start(options, clock_);
  const std::string token = client_->Token();
  for (int i = 2; i <= 20; ++i) client_->Get("/api/v2/account", token);
  ASSERT_EQ(client_->Get("/api/v2/account", token).status, 429);  // Retry-After: 10
  clock_.Advance(seconds(1));
  const Reply again = client_->Get("/api/v2/account", token);
  EXPECT_EQ(again.status, 429);  // violation 1
  EXPECT_EQ(again.Header("Retry-After"), "9");
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 429);  // violation 2
  const Reply blocked = client_->Get("/api/v2/account", token);   // violation 3: blocked
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(blocked.Header("Retry-After"), "30");
  EXPECT_NE(blocked.body.find("rate limit"), std::string::npos);
  clock_.Advance(seconds(29));
  EXPECT_EQ(client_->Get("/api/v2/system/status").status, 403);  // every path, even status
  EXPECT_EQ(client_->RequestToken("demo-key", "demo-secret").status, 403);
  clock_.Advance(seconds(1));
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
}

TEST_F(SimRateLimitTest, OtherConsumersShareTheBudget) {
  SimulatorOptions options = Limited();
  options.throttle_delay = milliseconds(0);
  options.other_consumers_rpm = 10;  // 10 per 10 s window: one per second
  Start(options, clock_);
  const std::string token = client_->Token();
  clock_.Advance(seconds(10));  // the token request has left; ten others have arrived
  EXPECT_EQ(AccountCount(token), 11);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  const Reply over = client_->Get("/api/v2/account", token);
  EXPECT_EQ(over.status, 429);
  // Others leaving are replaced by new ones: room only when our first request leaves.
  EXPECT_EQ(over.Header("Retry-After"), "10");

  const Reply set = client_->Send("PUT", "/__sim/settings", R"({"other_consumers_rpm": 0})");
  ASSERT_EQ(set.status, 200);
  EXPECT_EQ(set.Json()["other_consumers_rpm"], 0);
  clock_.Advance(seconds(10));
  EXPECT_EQ(AccountCount(token), 1);
  sim_->SetOtherConsumersRpm(5);
  clock_.Advance(seconds(10));
  EXPECT_EQ(AccountCount(token), 6);
}

TEST_F(SimRateLimitTest, WindowReportedInWholeSecondsAtLeastOne) {
  SimulatorOptions options = TestOptions();
  options.rate_window = milliseconds(500);
  Start(options, clock_);
  const std::string token = client_->Token();
  EXPECT_EQ(
      client_->Get("/api/v2/system/request_rate", token).Json()["slidingTimeWindowSizeSeconds"], 1);
}

TEST_F(SimRateLimitTest, WindowReportedToTheNearestSecond) {
  for (const auto& [window, reported] :
       {std::pair{milliseconds(1500), 2}, std::pair{milliseconds(2400), 2},
        std::pair{milliseconds(2600), 3}, std::pair{milliseconds(10), 1}}) {
    SimulatorOptions options = TestOptions();
    options.rate_window = window;
    Start(options, clock_);
    const std::string token = client_->Token();
    EXPECT_EQ(
        client_->Get("/api/v2/system/request_rate", token).Json()["slidingTimeWindowSizeSeconds"],
        reported)
        << window.count() << " ms";
  }
}

// The other integrations' requests are in the window as soon as they are configured, from the
// command line or through the settings, without any time passing.
TEST_F(SimRateLimitTest, OtherConsumersCountFromTheStart) {
  SimulatorOptions options = Limited();
  options.other_consumers_rpm = 8;  // 8 per 10 s window
  Start(options, clock_);
  const std::string token = client_->Token();
  EXPECT_EQ(AccountCount(token), 8 + 2);  // the token request and this one

  const Reply set = client_->Send("PUT", "/__sim/settings", R"({"other_consumers_rpm": 12})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(AccountCount(token), 12 + 3);
  // The budget of 20 is that much smaller at once: 5 more own requests fill it.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 429);
  // The request log reports the busiest window: full, 12 of theirs and 8 of ours.
  const Reply log = client_->Send("GET", "/__sim/requests");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(log.Json().value("peak_account_window", -1), 20) << log.body;
}

// The same on the real clock with a window scaled down to 2 s, as tests of the exporter use it.
TEST_F(SimRateLimitTest, ScaledWindowOnTheRealClock) {
  SimulatorOptions options = TestOptions();
  options.rate_limit = 6;
  options.rate_window = seconds(2);
  options.cutoff_ratio = 0.5;
  options.throttle_delay = milliseconds(150);
  Start(options, SystemClock());
  const std::string token = client_->Token();
  for (int i = 2; i <= 3; ++i) EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);  // 4 of 6: above half, delayed
  EXPECT_GE(std::chrono::steady_clock::now() - before, milliseconds(150));
  client_->Get("/api/v2/account", token);
  client_->Get("/api/v2/account", token);
  const Reply over = client_->Get("/api/v2/account", token);
  ASSERT_EQ(over.status, 429);
  const int retry_after = std::stoi(over.Header("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  std::this_thread::sleep_for(seconds(retry_after));  // what a well-behaved client does
  EXPECT_EQ(client_->Get("/api/v2/account", token).status, 200);
}

}  // namespace
}  // namespace drmm::sim
