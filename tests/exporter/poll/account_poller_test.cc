// The poller's schedule and state, with a scripted API (no network) and a FakeClock that only
// moves when the test says so.
#include "exporter/poll/account_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_api.h"
#include "support/fake_clock.h"
#include "support/log_capture.h"
#include "support/wait_for.h"

namespace drmm::testing {
namespace {

using std::chrono::seconds;

class AccountPollerSchedule : public ::testing::Test {
 protected:
  void SetUp() override {
    account_.name = "acme";
    account_.collectors[Collector::kSites].enabled = false;
    account_.collectors[Collector::kDevices].enabled = false;
    account_.collectors[Collector::kRateStatus].enabled = false;
    account_.collectors[Collector::kAlerts].interval = seconds(60);
  }

  void MakePoller() {
    poller_.reset();
    budget_ = std::make_unique<AccountBudget>(account_.name, account_.rate_limit, clock_);
    poller_ = std::make_unique<AccountPoller>(account_, api_, *budget_, clock_);
  }

  FakeClock clock_{/*auto_advance=*/false};
  FakeApi api_;
  AccountConfig account_;
  std::unique_ptr<AccountBudget> budget_;
  std::unique_ptr<AccountPoller> poller_;
};

TEST_F(AccountPollerSchedule, RunsAtStartThenOncePerInterval) {
  MakePoller();
  poller_->Start();
  auto alerts = [&] { return api_.Calls(Collector::kAlerts); };
  ASSERT_TRUE(WaitFor([&] { return alerts() == 1; }));
  ASSERT_TRUE(WaitFor([&] { return poller_->Ready(); }));
  clock_.Advance(seconds(59));
  // Nothing is due yet: give a wrongly scheduled run time to show up.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(alerts(), 1);
  clock_.Advance(seconds(1));
  EXPECT_TRUE(WaitFor([&] { return alerts() == 2; }));
  clock_.Advance(seconds(60));
  EXPECT_TRUE(WaitFor([&] { return alerts() == 3; }));
  poller_->Stop();
  EXPECT_EQ(api_.Calls(Collector::kDevices), 0) << "a disabled collector never runs";
}

TEST_F(AccountPollerSchedule, ReadyOnlyOnceEveryEnabledCollectorSucceeded) {
  account_.collectors[Collector::kDevices].enabled = true;
  MakePoller();
  std::stop_source stop;
  EXPECT_FALSE(poller_->Ready());
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  EXPECT_FALSE(poller_->Ready());
  EXPECT_EQ(poller_->CollectorsNotReady(), (std::vector<std::string>{"devices"}));
  ASSERT_TRUE(poller_->RunOnce(Collector::kDevices, stop.get_token()));
  EXPECT_TRUE(poller_->Ready());
  EXPECT_TRUE(poller_->CollectorsNotReady().empty());
}

TEST_F(AccountPollerSchedule, ReportsCollectorStatusAndDropsDataAfterMaxStaleness) {
  account_.max_staleness = seconds(120);
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  auto snapshot = poller_->Current();
  EXPECT_TRUE(snapshot.up);
  ASSERT_TRUE(snapshot.alerts);
  const auto& alerts = snapshot.collectors[IndexOf(Collector::kAlerts)];
  EXPECT_EQ(alerts.name, "alerts");
  EXPECT_TRUE(alerts.last_success);
  EXPECT_EQ(alerts.last_success_unix, ToUnixSeconds(clock_.WallNow()));
  EXPECT_FALSE(snapshot.collectors[IndexOf(Collector::kDevices)].enabled);

  clock_.Advance(seconds(120));
  EXPECT_TRUE(poller_->Current().alerts) << "exactly max_staleness old is still served";
  clock_.Advance(seconds(1));
  snapshot = poller_->Current();
  EXPECT_FALSE(snapshot.alerts);
  EXPECT_TRUE(snapshot.collectors[IndexOf(Collector::kAlerts)].last_success_unix)
      << "the last-success timestamp stays, so staleness is visible";
}

TEST_F(AccountPollerSchedule, RunningSinceIsPublishedWhileARunIsInProgress) {
  MakePoller();
  // What a scrape would see at each change: the start of the run, then its end.
  std::vector<std::optional<double>> seen;
  poller_->SetOnChange([&] {
    seen.push_back(poller_->Current().collectors[IndexOf(Collector::kAlerts)].running_since_unix);
  });
  std::stop_source stop;
  const double started = ToUnixSeconds(clock_.WallNow());
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], started);
  EXPECT_EQ(seen[1], std::nullopt);
  // A failed run ends the same way: a stuck collector, not a failed one, keeps it set.
  api_.FailNext(Collector::kAlerts, datto::Status(datto::ErrorKind::kServer, "HTTP 502"));
  seen.clear();
  ASSERT_FALSE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_TRUE(seen[0].has_value());
  EXPECT_EQ(seen[1], std::nullopt);
}

TEST_F(AccountPollerSchedule, StaleSitesDataStaysKnownForTheOnDemandFilter) {
  account_.max_staleness = seconds(120);
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(Collector::kSites, stop.get_token()));
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
  const datto::Status forbidden(datto::ErrorKind::kPermission, "alerts: HTTP 403");
  const LogCapture log;

  api_.FailNext(Collector::kAlerts, forbidden);
  ASSERT_FALSE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  api_.FailNext(Collector::kAlerts, forbidden);
  ASSERT_FALSE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));

  std::vector<std::string> failures;
  for (const auto& line : log.lines()) {
    if (line.find("collector failed") != std::string::npos) failures.push_back(line);
  }
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_THAT(failures[0], ::testing::HasSubstr("it has no data to serve yet"));
  EXPECT_THAT(failures[1], ::testing::HasSubstr("serving its last good data until max_staleness"));
}

TEST_F(AccountPollerSchedule, TellsAfterEveryRunThatTheAccountChanged) {
  MakePoller();
  int changes = 0;
  poller_->SetOnChange([&] { ++changes; });
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  api_.FailNext(Collector::kAlerts, datto::Status(datto::ErrorKind::kServer, "HTTP 500"));
  ASSERT_FALSE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  // Each run changes the state twice: its start (running_since) and its end; a failure too.
  EXPECT_EQ(changes, 4) << "a failure changes the account's state too";
}

TEST_F(AccountPollerSchedule, AReloadedPollerTakesOverDataStatusAndRhythm) {
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  const auto before = poller_->Current();
  ASSERT_TRUE(before.alerts);
  const auto carried = poller_->Handover();

  AccountConfig changed = account_;
  changed.collectors[Collector::kAlerts].interval = seconds(120);
  AccountPoller successor(changed, api_, *budget_, clock_);
  successor.TakeOver(*carried);
  EXPECT_TRUE(successor.Ready());
  const auto after = successor.Current();
  EXPECT_EQ(after.alerts, before.alerts) << "the same data, not a copy and not a new walk";
  EXPECT_EQ(after.collectors[IndexOf(Collector::kAlerts)].last_success_unix,
            before.collectors[IndexOf(Collector::kAlerts)].last_success_unix);

  // The next alerts walk comes one (new) interval after the predecessor's, not at once.
  successor.Start();
  clock_.Advance(seconds(119));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(api_.Calls(Collector::kAlerts), 1);
  clock_.Advance(seconds(1));
  EXPECT_TRUE(WaitFor([&] { return api_.Calls(Collector::kAlerts) == 2; }));
  successor.Stop();
}

TEST_F(AccountPollerSchedule, ACollectorSwitchedOffByAReloadServesNothing) {
  MakePoller();
  std::stop_source stop;
  ASSERT_TRUE(poller_->RunOnce(Collector::kAlerts, stop.get_token()));
  AccountConfig changed = account_;
  changed.collectors[Collector::kAlerts].enabled = false;
  changed.collectors[Collector::kSites].enabled = true;
  AccountPoller successor(changed, api_, *budget_, clock_);
  successor.TakeOver(*poller_->Handover());
  EXPECT_FALSE(successor.Current().alerts);
  EXPECT_EQ(successor.CollectorsNotReady(), (std::vector<std::string>{"sites"}));
}

}  // namespace
}  // namespace drmm::testing
