// The exporter's whole pipeline (client -> folds -> snapshot -> families) against the
// simulator: every per-site value must equal the simulator's ground truth, before and after
// churn and through injected faults, and one poll must cost exactly the minimum requests.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "sim_fixture.h"
#include "support/fake_clock.h"

namespace drmm::testing {
namespace {

using CK = Collector;

class ExporterVsSimulator : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(SmallAccount()); }

  void StartWith(sim::SimulatorOptions options) {
    simulator_ = std::make_unique<sim::Simulator>(options);
    simulator_->Start();
    config_.accounts = {AccountFor(*simulator_, "acme")};
    // The simulator sets udf1 (a contract tier) and udf2 (an asset tag) on some devices.
    config_.accounts[0].device_metrics.enabled = true;
    config_.accounts[0].device_metrics.udf_labels = {{2, "asset_tag", false},
                                                     {1, "contract", true}};
    MakePoller();
  }

  void MakePoller(Clock& clock = SystemClock()) {
    poller_.reset();
    poller_ = std::make_unique<Poller>(
        config_,
        [this](const std::string& a) -> datto::ApiObserver& { return self_.ObserverFor(a); }, clock,
        Poller::DefaultTransport, FastRetries());
  }

  AccountPoller& account() { return *poller_->accounts().front()->poller; }

  bool Run(CK kind) { return account().RunOnce(kind, stop_.get_token()); }

  void RunAll() {
    for (CK kind : {CK::kSites, CK::kDevices, CK::kAlerts, CK::kRateStatus}) {
      ASSERT_TRUE(Run(kind)) << NameOf(kind);
    }
  }

  std::vector<prometheus::MetricFamily> Families() {
    return testing::ServedFamilies(*poller_->Current());
  }

  void ExpectGroundTruth() {
    ExpectMatchesGroundTruth(Families(), "acme", simulator_->GroundTruth(),
                             *FilterOf(config_.accounts[0].site_filter), {{"udf1", "contract"}});
  }

  SelfMetrics self_{"test", "test"};
  std::stop_source stop_;
  std::unique_ptr<sim::Simulator> simulator_;
  Config config_;
  std::unique_ptr<Poller> poller_;
};

TEST_F(ExporterVsSimulator, EveryPerSiteValueEqualsTheGroundTruth) {
  RunAll();
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, NewFiguresCoverEveryCaseTheSimulatorGenerates) {
  RunAll();
  ExpectGroundTruth();
  // The comparison above is only as good as the spread it sees: the account must hold stale
  // agents at every default age, each warranty state, suspended and deleted devices, linked
  // and unlinked sites, and UDFs.
  std::map<std::string, double> totals;
  const auto truth = simulator_->GroundTruth();
  for (const auto& site : truth.at("sites")) {
    for (const char* field : {"devices_not_seen", "devices_warranty", "devices_state"}) {
      for (const auto& [key, count] : site.at(field).items()) {
        totals[std::string(field) + "." + key] += count.get<double>();
      }
    }
    totals[site.at("autotask_company_id") == "" ? "unlinked" : "linked"] += 1;
    for (const auto& [value, count] : site.at("devices_by_udf").at("udf1").items()) {
      if (!value.empty()) totals["udf1"] += count.get<double>();
    }
  }
  for (const char* key :
       {"devices_not_seen.1d", "devices_not_seen.7d", "devices_not_seen.30d",
        "devices_warranty.expired", "devices_warranty.expiring", "devices_warranty.active",
        "devices_warranty.unknown", "devices_state.active", "devices_state.suspended",
        "devices_state.deleted", "linked", "unlinked", "udf1"}) {
    EXPECT_GT(totals[key], 0) << key;
  }
  EXPECT_GT(totals["devices_not_seen.1d"], totals["devices_not_seen.7d"]);
  EXPECT_GT(totals["devices_not_seen.7d"], totals["devices_not_seen.30d"]);
}

TEST_F(ExporterVsSimulator, DeviceInfoCarriesTheConfiguredUdfsAndOnlyThem) {
  RunAll();
  const auto families = Families();
  const auto rows = Select(families, "datto_rmm_device_info", {{"account", "acme"}});
  ASSERT_FALSE(rows.empty());
  std::map<std::string, double> served_contracts;
  int asset_tags = 0;
  for (const auto* row : rows) {
    const LabelMap labels = LabelsOf(*row);
    ASSERT_TRUE(labels.contains("contract") && labels.contains("asset_tag"));
    EXPECT_EQ(labels.size(), 10U);  // the eight of the catalog and the two UDF labels
    served_contracts[labels.at("contract")] += 1;
    if (!labels.at("asset_tag").empty()) ++asset_tags;
  }
  std::map<std::string, double> truth_contracts;
  const auto truth = simulator_->GroundTruth();
  for (const auto& site : truth.at("sites")) {
    for (const auto& [value, count] : site.at("devices_by_udf").at("udf1").items()) {
      truth_contracts[value] += count.get<double>();
    }
  }
  EXPECT_EQ(served_contracts, truth_contracts);
  EXPECT_GT(asset_tags, 0);
  // Per-site counts only for the UDF configured with them.
  EXPECT_TRUE(Select(families, "datto_rmm_site_devices_udf", {{"udf", "asset_tag"}}).empty());
  EXPECT_EQ(ValueOf(families, "datto_rmm_udf_devices_dropped",
                    {{"account", "acme"}, {"udf", "contract"}}),
            0.0);
}

TEST_F(ExporterVsSimulator, ValuesFollowTheAccountThroughChurn) {
  RunAll();
  const auto before = simulator_->GroundTruth();
  simulator_->ApplyChurn(60);  // devices go offline, alerts open and resolve, sites come and go
  const auto after = simulator_->GroundTruth();
  ASSERT_NE(before, after) << "churn changed nothing: the test would prove nothing";
  RunAll();
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, AVanishedSiteDisappearsFromTheMetrics) {
  RunAll();
  auto site_uids = [this] {
    std::set<std::string> uids;
    const auto truth = simulator_->GroundTruth();
    for (const auto& site : truth.at("sites")) uids.insert(site.at("uid").get<std::string>());
    return uids;
  };
  const auto before = site_uids();
  // Churn until at least one site is gone (bounded: churn picks site removal now and then).
  std::string gone;
  for (int round = 0; round < 50 && gone.empty(); ++round) {
    simulator_->ApplyChurn(20);
    const auto now = site_uids();
    for (const auto& uid : before) {
      if (now.count(uid) == 0) gone = uid;
    }
  }
  ASSERT_FALSE(gone.empty()) << "no site disappeared within 1,000 churn events";
  RunAll();
  EXPECT_TRUE(Select(Families(), "datto_rmm_site_info", {{"site_uid", gone}}).empty());
  EXPECT_TRUE(Select(Families(), "datto_rmm_site_alerts_open", {{"site_uid", gone}}).empty());
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, OnePollCostsExactlyOneRequestPerPage) {
  RunAll();  // the token and the page size are fetched once and cached
  const auto truth = simulator_->GroundTruth();
  const int page = truth.at("page_size");
  const int alerts_page = truth.at("alerts_page_size");
  std::int64_t devices = 0;
  for (const auto& site : truth.at("sites")) devices += site.at("devices_total").get<int>();
  const auto sites = static_cast<std::int64_t>(truth.at("sites").size());
  const std::int64_t alerts = truth.at("totals").at("open_alerts");

  simulator_->ResetRequestLog();
  ASSERT_TRUE(Run(CK::kDevices));
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/account/devices"), Pages(devices, page));
  ASSERT_TRUE(Run(CK::kAlerts));
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/account/alerts/open"), Pages(alerts, alerts_page));
  ASSERT_TRUE(Run(CK::kSites));
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/account/sites"), Pages(sites, page));
  ASSERT_TRUE(Run(CK::kRateStatus));
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/system/request_rate"), 1);
  EXPECT_EQ(simulator_->RequestLog().at("total").get<int>(),
            Pages(devices, page) + Pages(alerts, alerts_page) + Pages(sites, page) + 1)
      << "no token, pagination or repeated requests once warm";
  EXPECT_GT(Pages(alerts, alerts_page), 1) << "the account must span several alert pages";
}

TEST_F(ExporterVsSimulator, ATokenRevokedMidWalkCostsOneReauthenticationAndNothingElse) {
  RunAll();
  simulator_->ResetRequestLog();
  sim::FaultSpec revoke;
  revoke.kind = sim::FaultKind::kRevokeToken;
  revoke.after_pages = 2;
  revoke.path_prefix = "/api/v2/account/devices";
  simulator_->InjectFault(revoke);
  ASSERT_TRUE(Run(CK::kDevices));
  EXPECT_EQ(CountRequests(*simulator_, "/auth/oauth/token"), 1);
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, TransientFaultsAreRetriedAndLoseNothing) {
  RunAll();
  for (auto kind : {sim::FaultKind::kServerError, sim::FaultKind::kTruncatedJson,
                    sim::FaultKind::kMalformedJson, sim::FaultKind::kDropConnection}) {
    sim::FaultSpec fault;
    fault.kind = kind;
    fault.count = 2;
    fault.status = 503;
    fault.path_prefix = "/api/v2/account/devices";
    simulator_->InjectFault(fault);
    EXPECT_TRUE(Run(CK::kDevices)) << sim::FaultKindName(kind);
  }
  simulator_->ApplyChurn(10);
  ASSERT_TRUE(Run(CK::kSites));
  ASSERT_TRUE(Run(CK::kAlerts));
  ASSERT_TRUE(Run(CK::kDevices));
  ExpectGroundTruth();
}

// The device walk with pages in flight (the default, 6) through a slow page, a 5xx on one
// page and a 429 in the middle of the burst: every page is fetched once plus one retry per
// fault, the data equals the ground truth, and the 429 paused the whole account.
TEST_F(ExporterVsSimulator, PagesInFlightGetThroughFaultsWithTheMinimumRequests) {
  ASSERT_EQ(config_.accounts[0].pages_in_flight, 6);
  RunAll();
  const int pages = CountRequests(*simulator_, "/api/v2/account/devices");
  ASSERT_GE(pages, 5) << "the account must span several device pages";
  simulator_->ResetRequestLog();
  const std::string devices = "/api/v2/account/devices";
  sim::FaultSpec slow;
  slow.kind = sim::FaultKind::kSlow;
  slow.delay = std::chrono::milliseconds(300);
  slow.path_prefix = devices;
  sim::FaultSpec server_error;
  server_error.kind = sim::FaultKind::kServerError;
  server_error.path_prefix = devices;
  sim::FaultSpec rate_limit;
  rate_limit.kind = sim::FaultKind::kRateLimit;
  rate_limit.retry_after_seconds = 1;
  rate_limit.path_prefix = devices;
  // Matched in order, one per request: page 0 is slow, the next two requests fail.
  for (const auto& fault : {slow, server_error, rate_limit}) simulator_->InjectFault(fault);
  ASSERT_TRUE(Run(CK::kDevices));
  EXPECT_EQ(CountRequests(*simulator_, devices), pages + 2) << "one retry per failed page";
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, RepeatedItemsAcrossPagesAreCountedOnce) {
  // The fault shifts the list back by 40 items from the page it hits on, as an insertion during
  // a walk does. With pages in flight, a page served before the shift next to one served after
  // it leaves a gap; the client walks the list again one page at a time to fill it. Either way
  // every device is counted once.
  MakePoller();
  RunAll();
  sim::FaultSpec repeat;
  repeat.kind = sim::FaultKind::kRepeatItems;
  repeat.count = 3;
  repeat.items = 40;
  repeat.path_prefix = "/api/v2/account/devices";
  simulator_->InjectFault(repeat);
  ASSERT_TRUE(Run(CK::kDevices));
  ExpectGroundTruth();
}

TEST_F(ExporterVsSimulator, AForeignNextPageFailsTheWalkAndKeepsTheLastGoodData) {
  RunAll();
  const auto truth = simulator_->GroundTruth();
  simulator_->ApplyChurn(40);
  sim::FaultSpec foreign;
  foreign.kind = sim::FaultKind::kForeignNextPage;
  foreign.path_prefix = "/api/v2/account/devices";
  simulator_->InjectFault(foreign);
  simulator_->ResetRequestLog();
  EXPECT_FALSE(Run(CK::kDevices));
  // Only the first page was fetched: the token never went to the foreign origin (the simulator
  // would not see that request anyway, but the walk must stop right there).
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/account/devices"), 1);
  const auto families = Families();
  EXPECT_EQ(Value(families, "datto_rmm_collector_success",
                  {{"account", "acme"}, {"collector", "devices"}}),
            0);
  // Devices still show the pre-churn truth (last good data); alerts ran before churn too.
  ExpectMatchesGroundTruth(families, "acme", truth, *FilterOf(config_.accounts[0].site_filter));
}

TEST_F(ExporterVsSimulator, StaleDataDisappearsAfterMaxStaleness) {
  // The poller's clock is a FakeClock so "older than max_staleness" does not depend on how fast
  // this machine runs the walks (the HTTP traffic is real).
  FakeClock clock;
  config_.accounts[0].max_staleness = std::chrono::minutes(10);
  MakePoller(clock);
  RunAll();
  ASSERT_FALSE(Select(Families(), "datto_rmm_site_devices").empty());
  sim::FaultSpec foreign;
  foreign.kind = sim::FaultKind::kForeignNextPage;
  foreign.count = 100;
  foreign.path_prefix = "/api/v2/account/devices";
  simulator_->InjectFault(foreign);
  clock.Advance(std::chrono::minutes(9));
  EXPECT_FALSE(Run(CK::kDevices));
  ASSERT_TRUE(Run(CK::kAlerts));
  EXPECT_FALSE(Select(Families(), "datto_rmm_site_devices").empty()) << "still within staleness";
  clock.Advance(std::chrono::minutes(2));
  ASSERT_TRUE(Run(CK::kAlerts));
  const auto families = Families();
  EXPECT_TRUE(Select(families, "datto_rmm_site_devices").empty());
  EXPECT_TRUE(Select(families, "datto_rmm_site_devices_patch_status").empty());
  EXPECT_FALSE(Select(families, "datto_rmm_site_alerts_open").empty()) << "alerts are fresh";
  EXPECT_FALSE(Select(families, "datto_rmm_collector_last_success_timestamp_seconds",
                      {{"collector", "devices"}})
                   .empty());
  poller_.reset();  // before the clock it uses goes away
}

TEST_F(ExporterVsSimulator, TheDefaultFilterDropsDeletedDevicesAndCanDropOnDemandSites) {
  config_.accounts[0].site_filter = SiteFilterConfig{};  // the defaults
  config_.accounts[0].site_filter.on_demand = false;
  MakePoller();
  RunAll();
  const auto truth = simulator_->GroundTruth();
  bool saw_deleted = false;
  bool saw_on_demand = false;
  for (const auto& site : truth.at("sites")) {
    saw_deleted |= site.at("deleted_devices_site").get<bool>();
    saw_on_demand |= site.at("on_demand").get<bool>();
  }
  ASSERT_TRUE(saw_deleted && saw_on_demand) << "the generated account lacks the special sites";
  ExpectMatchesGroundTruth(Families(), "acme", truth, *FilterOf(config_.accounts[0].site_filter));
}

TEST_F(ExporterVsSimulator, WrongCredentialsAreReportedWithoutHammering) {
  config_.accounts[0].api_secret = "wrong-secret";
  MakePoller();
  simulator_->ResetRequestLog();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(Run(CK::kAlerts));
  EXPECT_EQ(CountRequests(*simulator_, "/auth/oauth/token"), 1)
      << "a rejected key is not retried within the credentials back-off";
  EXPECT_EQ(CountRequests(*simulator_, "/api/v2/account/alerts/open"), 0);
  const auto families = Families();
  EXPECT_EQ(Value(families, "datto_rmm_up", {{"account", "acme"}}), 0);
  EXPECT_FALSE(poller_->Ready());
}

TEST_F(ExporterVsSimulator, TheCredentialsBackoffIsTheConfiguredOne) {
  // rate_limit.auth_failure_backoff; it was a hard-coded 300 s.
  config_.accounts[0].api_secret = "wrong-secret";
  config_.accounts[0].rate_limit.auth_failure_backoff = std::chrono::milliseconds(300);
  MakePoller();
  simulator_->ResetRequestLog();
  EXPECT_FALSE(Run(CK::kAlerts));
  EXPECT_FALSE(Run(CK::kAlerts));
  EXPECT_EQ(CountRequests(*simulator_, "/auth/oauth/token"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // whole seconds, rounded up
  EXPECT_FALSE(Run(CK::kAlerts));
  EXPECT_EQ(CountRequests(*simulator_, "/auth/oauth/token"), 2) << "asked again after the back-off";
}

TEST_F(ExporterVsSimulator, StopsWithinTwoSecondsInTheMiddleOfASlowWalk) {
  RunAll();
  sim::FaultSpec slow;
  slow.kind = sim::FaultKind::kSlow;
  slow.count = 100;
  slow.delay = std::chrono::seconds(20);
  simulator_->InjectFault(slow);
  poller_->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // walks are now in flight
  const auto started = std::chrono::steady_clock::now();
  poller_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  simulator_->ClearFaults();
}

// A config reload: an account whose identity holds keeps its budget and its data while new
// settings apply; an account whose API key changed starts afresh; added and removed accounts
// come and go.
TEST(ExporterVsSimulators, ApplyKeepsWhatBelongsToAnUnchangedAccount) {
  auto first = std::make_unique<sim::Simulator>(SmallAccount(1));
  auto second = std::make_unique<sim::Simulator>(SmallAccount(2));
  first->Start();
  second->Start();
  Config config;
  config.accounts = {AccountFor(*first, "first")};
  SelfMetrics self("test", "test");
  Poller poller(
      config, [&](const std::string& a) -> datto::ApiObserver& { return self.ObserverFor(a); },
      SystemClock(), Poller::DefaultTransport, FastRetries());
  std::stop_source stop;
  const auto original = poller.accounts().front();
  for (CK kind : {CK::kSites, CK::kDevices, CK::kAlerts, CK::kRateStatus}) {
    ASSERT_TRUE(original->poller->RunOnce(kind, stop.get_token()));
  }
  const int requests = CountRequests(*first, "/api/v2/account/devices");

  Config reloaded = config;
  reloaded.accounts[0].collectors[CK::kAlerts].interval = std::chrono::minutes(2);
  reloaded.accounts[0].site_filter.deleted_devices = false;
  reloaded.accounts.push_back(AccountFor(*second, "second"));
  auto changes = poller.Apply(reloaded);
  EXPECT_EQ(changes.changed, (std::vector<std::string>{"first"}));
  EXPECT_EQ(changes.added, (std::vector<std::string>{"second"}));
  const auto accounts = poller.accounts();
  ASSERT_EQ(accounts.size(), 2u);
  EXPECT_NE(accounts[0].get(), original.get()) << "new settings, new poller";
  EXPECT_EQ(accounts[0]->budget, original->budget) << "the budget state is kept";
  EXPECT_EQ(accounts[0]->client, original->client) << "so are the connection and its token";
  EXPECT_TRUE(accounts[0]->poller->Ready()) << "and the last good data";
  EXPECT_EQ(CountRequests(*first, "/api/v2/account/devices"), requests) << "without a new walk";
  ExpectMatchesGroundTruth(testing::ServedFamilies(*poller.Current()), "first",
                           first->GroundTruth(), *FilterOf(reloaded.accounts[0].site_filter));
  EXPECT_FALSE(accounts[1]->poller->Ready()) << "an added account starts from nothing";

  // Another API key is another API user, maybe another account: nothing is carried over.
  Config rekeyed = reloaded;
  rekeyed.accounts[0].api_key = "another-key";
  rekeyed.accounts.pop_back();
  changes = poller.Apply(rekeyed);
  EXPECT_EQ(changes.replaced, (std::vector<std::string>{"first"}));
  EXPECT_EQ(changes.removed, (std::vector<std::string>{"second"}));
  ASSERT_EQ(poller.accounts().size(), 1u);
  EXPECT_NE(poller.accounts()[0]->budget, original->budget);
  EXPECT_FALSE(poller.accounts()[0]->poller->Ready());
}

TEST(ExporterVsSimulators, SeveralAccountsAreLabelledAndKeptApart) {
  auto first = std::make_unique<sim::Simulator>(SmallAccount(1));
  auto second = std::make_unique<sim::Simulator>(SmallAccount(2));
  first->Start();
  second->Start();
  Config config;
  config.accounts = {AccountFor(*first, "first"), AccountFor(*second, "second")};
  SelfMetrics self("test", "test");
  Poller poller(
      config, [&](const std::string& a) -> datto::ApiObserver& { return self.ObserverFor(a); },
      SystemClock(), Poller::DefaultTransport, FastRetries());
  std::stop_source stop;
  EXPECT_EQ(poller.NotReady(),
            (std::vector<std::string>{"first: sites, devices, alerts, rate_status",
                                      "second: sites, devices, alerts, rate_status"}));
  for (auto& account : poller.accounts()) {
    for (CK kind : {CK::kSites, CK::kDevices, CK::kAlerts, CK::kRateStatus}) {
      ASSERT_TRUE(account->poller->RunOnce(kind, stop.get_token()));
      if (account.get() == poller.accounts().front().get() && kind == CK::kAlerts) {
        // One account ready but for its rate status; the other not started: not ready.
        EXPECT_EQ(poller.NotReady(),
                  (std::vector<std::string>{"first: rate_status",
                                            "second: sites, devices, alerts, rate_status"}));
      }
    }
  }
  EXPECT_TRUE(poller.Ready());
  EXPECT_TRUE(poller.NotReady().empty());
  const auto families = testing::ServedFamilies(*poller.Current());
  ExpectMatchesGroundTruth(families, "first", first->GroundTruth(),
                           *FilterOf(config.accounts[0].site_filter));
  ExpectMatchesGroundTruth(families, "second", second->GroundTruth(),
                           *FilterOf(config.accounts[1].site_filter));
}

}  // namespace
}  // namespace drmm::testing
