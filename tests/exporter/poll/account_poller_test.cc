// The poller's schedule and state, with the simulator as the API and a FakeClock that only
// moves when the test says so.
#include "exporter/poll/account_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "exporter/poll/poller.h"
#include "sim/simulator.h"
#include "support/fake_clock.h"
#include "support/log_capture.h"
#include "support/wait_for.h"

namespace drmm::testing {
namespace {

using std::chrono::seconds;

class AccountPollerSchedule : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimulatorOptions options;
    options.port = 0;
    options.sites = 5;
    options.devices = 50;
    options.alerts = 10;
    options.churn_per_minute = 0;
    simulator_ = std::make_unique<sim::Simulator>(options);
    simulator_->Start();
    account_.name = "acme";
    account_.base_url = simulator_->base_url();
    account_.api_key = "demo-key";
    account_.api_secret = "demo-secret";
    account_.sites.enabled = false;
    account_.devices.enabled = false;
    account_.rate_status.enabled = false;
    account_.alerts.interval = seconds(60);
  }

  void MakePoller() {
    transport_ = Poller::DefaultTransport(account_);
    poller_ = std::make_unique<AccountPoller>(account_, nullptr, *transport_, observer_, clock_);
  }

  int Requests(const std::string& path) const {
    const auto log = simulator_->RequestLog();
    return log.at("by_path").contains(path) ? log.at("by_path").at(path).get<int>() : 0;
  }

  FakeClock clock_{/*auto_advance=*/false};
  datto::ApiObserver observer_;
  std::unique_ptr<sim::Simulator> simulator_;
  AccountConfig account_;
  std::unique_ptr<datto::HttpTransport> transport_;
  std::unique_ptr<AccountPoller> poller_;
};

TEST_F(AccountPollerSchedule, RunsAtStartThenOncePerInterval) {
  MakePoller();
  poller_->Start();
  const std::string alerts = "/api/v2/account/alerts/open";
  ASSERT_TRUE(WaitFor([&] { return Requests(alerts) == 1; }));
  ASSERT_TRUE(WaitFor([&] { return poller_->Ready(); }));
  clock_.Advance(seconds(59));
  // Nothing is due yet: give a wrongly scheduled run time to show up.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Requests(alerts), 1);
  clock_.Advance(seconds(1));
  EXPECT_TRUE(WaitFor([&] { return Requests(alerts) == 2; }));
  clock_.Advance(seconds(60));
  EXPECT_TRUE(WaitFor([&] { return Requests(alerts) == 3; }));
  poller_->Stop();
  EXPECT_EQ(Requests("/api/v2/account/devices"), 0) << "a disabled collector never runs";
}

TEST_F(AccountPollerSchedule, ReadyOnlyOnceEveryEnabledCollectorSucceeded) {
  account_.devices.enabled = true;
  MakePoller();
  std::stop_source stop;
  EXPECT_FALSE(poller_->Ready());
  ASSERT_TRUE(poller_->RunOnce(CollectorKind::kAlerts, stop.get_token()));
  EXPECT_FALSE(poller_->Ready());
  EXPECT_EQ(poller_->CollectorsNotReady(), (std::vector<std::string>{"devices"}));
  ASSERT_TRUE(poller_->RunOnce(CollectorKind::kDevices, stop.get_token()));
  EXPECT_TRUE(poller_->Ready());
  EXPECT_TRUE(poller_->CollectorsNotReady().empty());
}

TEST_F(AccountPollerSchedule, ReportsCollectorStatusAndDropsDataAfterMaxStaleness) {
  account_.max_staleness = seconds(120);
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(CollectorKind::kAlerts, stop.get_token()));
  auto snapshot = poller_->Current();
  EXPECT_TRUE(snapshot.up);
  ASSERT_TRUE(snapshot.alerts);
  const auto& alerts = snapshot.collectors[static_cast<int>(CollectorKind::kAlerts)];
  EXPECT_EQ(alerts.name, "alerts");
  EXPECT_TRUE(alerts.last_success);
  EXPECT_EQ(alerts.last_success_unix, ToUnixSeconds(clock_.WallNow()));
  EXPECT_FALSE(snapshot.collectors[static_cast<int>(CollectorKind::kDevices)].enabled);

  clock_.Advance(seconds(120));
  EXPECT_TRUE(poller_->Current().alerts) << "exactly max_staleness old is still served";
  clock_.Advance(seconds(1));
  snapshot = poller_->Current();
  EXPECT_FALSE(snapshot.alerts);
  EXPECT_TRUE(snapshot.collectors[static_cast<int>(CollectorKind::kAlerts)].last_success_unix)
      << "the last-success timestamp stays, so staleness is visible";
}

TEST_F(AccountPollerSchedule, StaleSitesDataStaysKnownForTheOnDemandFilter) {
  account_.max_staleness = seconds(120);
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(CollectorKind::kSites, stop.get_token()));
  const auto fresh = poller_->Current();
  ASSERT_TRUE(fresh.sites);
  EXPECT_EQ(fresh.last_known_sites, fresh.sites);
  clock_.Advance(seconds(121));
  const auto stale = poller_->Current();
  EXPECT_FALSE(stale.sites);
  EXPECT_EQ(stale.last_known_sites, fresh.sites);
}

TEST_F(AccountPollerSchedule, AFailureLogSaysWhetherOldDataIsStillServed) {
  MakePoller();
  std::stop_source stop;
  const std::string alerts = "/api/v2/account/alerts/open";
  sim::FaultSpec forbidden;
  forbidden.kind = sim::FaultKind::kForbidden;  // a plain 403: not retried
  forbidden.path_prefix = alerts;
  const LogCapture log;

  simulator_->InjectFault(forbidden);
  ASSERT_FALSE(poller_->RunOnce(CollectorKind::kAlerts, stop.get_token()));
  ASSERT_TRUE(poller_->RunOnce(CollectorKind::kAlerts, stop.get_token()));
  simulator_->InjectFault(forbidden);
  ASSERT_FALSE(poller_->RunOnce(CollectorKind::kAlerts, stop.get_token()));

  std::vector<std::string> failures;
  for (const auto& line : log.lines()) {
    if (line.find("collector failed") != std::string::npos) failures.push_back(line);
  }
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_THAT(failures[0], ::testing::HasSubstr("it has no data to serve yet"));
  EXPECT_THAT(failures[1], ::testing::HasSubstr("serving its last good data until max_staleness"));
}

}  // namespace
}  // namespace drmm::testing
