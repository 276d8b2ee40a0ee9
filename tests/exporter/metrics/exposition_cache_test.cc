// The render-once exposition: what a scrape serves, that it serves the same bytes gzipped as a
// single gzip member, that only what changed is re-rendered or recompressed, that stale data
// goes on time without a poll, and that a scrape during a swap sees one whole account state.
#include "exporter/metrics/exposition_cache.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "exporter/metrics/render.h"
#include "golden_snapshot.h"
#include "support/exposition_text.h"
#include "support/fake_clock.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

std::string Gunzip(std::string_view gzipped) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 16 + 15), Z_OK);  // gzip wrapper only
  std::string out;
  char buffer[1 << 16];
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzipped.data()));
  stream.avail_in = static_cast<uInt>(gzipped.size());
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END) << "not one complete gzip member";
  EXPECT_EQ(stream.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&stream);
  return out;
}

// How many of `after`'s pieces are the very bytes `before` served (shared, not copied).
std::size_t PiecesReused(const MetricsResponse& before, const MetricsResponse& after) {
  std::set<const char*> before_pieces;
  for (const auto piece : before.body.pieces) before_pieces.insert(piece.data());
  std::size_t reused = 0;
  for (const auto piece : after.body.pieces) reused += before_pieces.count(piece.data());
  return reused;
}

// Sources that serve the golden snapshot's accounts, counting how often each was asked.
struct GoldenSources {
  Snapshot snapshot = testing::GoldenSnapshot();
  std::map<std::string, int> asked;

  std::vector<ExpositionCache::AccountSource> Make() {
    std::vector<ExpositionCache::AccountSource> sources;
    for (std::size_t i = 0; i < snapshot.accounts.size(); ++i) {
      const std::string name = snapshot.accounts[i].account;
      sources.push_back({name,
                         [this, i, name] {
                           ++asked[name];
                           return snapshot.accounts[i];
                         },
                         {}});
    }
    return sources;
  }
};

TEST(ExpositionCacheTest, ServesTheRenderedSnapshotThenThePerScrapeText) {
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({6, [] { return std::string("zz_per_scrape 1\n"); }}, clock);
  cache.SetAccounts(golden.Make());
  const std::string expected = RenderSnapshotText(golden.snapshot) + "zz_per_scrape 1\n";
  EXPECT_EQ(cache.Scrape(false).body.Flatten(), expected);
  const MetricsResponse gzipped = cache.Scrape(true);
  EXPECT_TRUE(gzipped.gzip);
  EXPECT_EQ(Gunzip(gzipped.body.Flatten()), expected);
  EXPECT_LT(gzipped.body.Size() * 2, expected.size()) << "compressed at all";
}

TEST(ExpositionCacheTest, NothingToServeYetIsAnEmptyBodyAndAValidGzip) {
  testing::FakeClock clock;
  ExpositionCache cache({}, clock);
  EXPECT_EQ(cache.Scrape(false).body.Size(), 0u);
  EXPECT_EQ(Gunzip(cache.Scrape(true).body.Flatten()), "");
}

TEST(ExpositionCacheTest, ScrapesReuseThePreparedPartsWithoutRendering) {
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({}, clock);
  cache.SetAccounts(golden.Make());
  const auto renders = cache.renders();
  const MetricsResponse first = cache.Scrape(true);
  const MetricsResponse second = cache.Scrape(true);
  EXPECT_EQ(cache.renders(), renders);
  EXPECT_EQ(golden.asked["acme"], 1);
  // The same bytes, not copies: every prepared piece is shared between the two scrapes.
  ASSERT_EQ(first.body.pieces.size(), second.body.pieces.size());
  std::size_t shared = 0;
  for (std::size_t i = 0; i < first.body.pieces.size(); ++i) {
    if (first.body.pieces[i].data() == second.body.pieces[i].data()) ++shared;
  }
  EXPECT_GE(shared, first.body.pieces.size() - 3);  // all but the live and per-scrape parts
}

TEST(ExpositionCacheTest, ChangedRendersThatAccountAgainAndKeepsUnchangedFamiliesCompressed) {
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({}, clock);
  cache.SetAccounts(golden.Make());
  const MetricsResponse before = cache.Scrape(true);

  // An alerts poll: only acme's alert families change.
  auto alerts = std::make_shared<AlertsData>(*golden.snapshot.accounts[0].alerts);
  alerts->sites["s-001"].unmuted.open_by_priority["high"] = 5;
  golden.snapshot.accounts[0].alerts = alerts;
  cache.Changed("acme");
  cache.RenderPending();
  EXPECT_EQ(golden.asked["acme"], 2);
  EXPECT_EQ(golden.asked["globex"], 1) << "the other account is not re-rendered";

  const MetricsResponse after = cache.Scrape(true);
  EXPECT_EQ(Gunzip(after.body.Flatten()), RenderSnapshotText(golden.snapshot));
  EXPECT_EQ(cache.Scrape(false).body.Flatten(), RenderSnapshotText(golden.snapshot));
  const std::size_t reused = PiecesReused(before, after);
  // Every family kept its compressed piece but the one that changed (acme's
  // datto_rmm_site_alerts_open); the live requests-in-window family and the trailer are made
  // per scrape.
  EXPECT_EQ(reused, after.body.pieces.size() - 3);
}

TEST(ExpositionCacheTest, AChangedValueOfTheSameLengthIsNotMistakenForUnchanged) {
  // Only the compressed form and a hash of the text are kept: a family whose text keeps its
  // length must still be told apart by its content.
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({}, clock);
  cache.SetAccounts(golden.Make());
  for (const std::int64_t open : {3, 4, 7}) {
    auto alerts = std::make_shared<AlertsData>(*golden.snapshot.accounts[0].alerts);
    alerts->sites["s-001"].unmuted.open_by_priority["high"] = open;
    golden.snapshot.accounts[0].alerts = alerts;
    cache.Changed("acme");
    cache.RenderPending();
    const std::string expected = RenderSnapshotText(golden.snapshot);
    EXPECT_EQ(Gunzip(cache.Scrape(true).body.Flatten()), expected) << open;
    EXPECT_EQ(cache.Scrape(false).body.Flatten(), expected) << open;
  }
}

TEST(ExpositionCacheTest, RenderingAFamilyAtATimeServesTheSameBytes) {
  // A pass limit of one byte gives every family that had text last time a pass of its own.
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache::Options options;
  options.pass_text_bytes = 1;
  ExpositionCache cache(options, clock);
  cache.SetAccounts(golden.Make());
  const MetricsResponse before = cache.Scrape(true);
  auto devices = std::make_shared<DevicesData>(*golden.snapshot.accounts[0].devices);
  devices->sites.begin()->second.reboot_required += 3;
  golden.snapshot.accounts[0].devices = devices;
  cache.Changed("acme");
  cache.RenderPending();
  const std::string expected = RenderSnapshotText(golden.snapshot);
  const MetricsResponse after = cache.Scrape(true);
  EXPECT_EQ(Gunzip(after.body.Flatten()), expected);
  EXPECT_EQ(cache.Scrape(false).body.Flatten(), expected);
  // Only the family that changed was compressed again.
  const std::size_t reused = PiecesReused(before, after);
  EXPECT_EQ(reused, after.body.pieces.size() - 3);
}

TEST(ExpositionCacheTest, PlainScrapesInFlightShareOneTextAndNoneIsKeptBetweenThem) {
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({}, clock);
  cache.SetAccounts(golden.Make());
  cache.Scrape(true);
  EXPECT_EQ(cache.plain_texts_built(), 0u) << "gzip scrapes need no text";
  const std::string expected = RenderSnapshotText(golden.snapshot);
  {
    const MetricsResponse first = cache.Scrape(false);
    const MetricsResponse second = cache.Scrape(false);
    EXPECT_EQ(first.body.Flatten(), expected);
    EXPECT_EQ(second.body.Flatten(), expected);
    EXPECT_EQ(cache.plain_texts_built(), 1u) << "the second scrape shares the first one's text";
    ASSERT_FALSE(first.body.pieces.empty());
    EXPECT_EQ(first.body.pieces.front().data(), second.body.pieces.front().data());
  }
  // Both written: the text is gone, and the next plain scrape inflates it again.
  EXPECT_EQ(cache.Scrape(false).body.Flatten(), expected);
  EXPECT_EQ(cache.plain_texts_built(), 2u);
}

TEST(ExpositionCacheTest, RequestsInWindowIsReadAtScrapeTime) {
  testing::FakeClock clock;
  GoldenSources golden;
  std::atomic<int> requests{7};
  auto sources = golden.Make();
  sources[0].requests_in_window = [&] { return std::optional<double>(requests.load()); };
  ExpositionCache cache({}, clock);
  cache.SetAccounts(std::move(sources));
  auto value = [&] {
    return testing::ValueOf(testing::ParseExposition(cache.Scrape(false).body.Flatten()),
                            "datto_rmm_api_requests_in_window", {{"account", "acme"}});
  };
  EXPECT_EQ(value(), 7);
  requests = 8;
  EXPECT_EQ(value(), 8);
  EXPECT_EQ(golden.asked["acme"], 1);
}

TEST(ExpositionCacheTest, DataThatTurnsStaleIsRenderedAgainWithoutAPoll) {
  testing::FakeClock clock;
  Snapshot snapshot = testing::GoldenSnapshot();
  AccountSnapshot account = snapshot.accounts[0];
  const SteadyTime stale_at = clock.Now() + std::chrono::minutes(15);
  int asked = 0;
  ExpositionCache cache({}, clock);
  cache.SetAccounts({{"acme",
                      [&] {
                        ++asked;
                        AccountSnapshot current = account;
                        if (clock.Now() >= stale_at) {
                          current.alerts = nullptr;  // what AccountPoller::Current() does
                        } else {
                          current.next_stale_at = stale_at;
                        }
                        return current;
                      },
                      {}}});
  auto alert_series = [&] {
    return testing::Select(testing::ParseExposition(cache.Scrape(false).body.Flatten()),
                           "datto_rmm_site_alerts_open")
        .size();
  };
  EXPECT_GT(alert_series(), 0u);
  clock.Advance(std::chrono::minutes(14));
  cache.RenderPending();
  EXPECT_EQ(asked, 1) << "nothing is stale yet";
  clock.Advance(std::chrono::minutes(1));
  cache.RenderPending();
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(alert_series(), 0u);
}

TEST(ExpositionCacheTest, SetAccountsDropsRemovedAccountsAndAddsNewOnes) {
  testing::FakeClock clock;
  GoldenSources golden;
  ExpositionCache cache({}, clock);
  auto sources = golden.Make();
  cache.SetAccounts({sources[0]});
  auto text = [&] { return cache.Scrape(false).body.Flatten(); };
  EXPECT_NE(text().find("{account=\"acme\""), std::string::npos);
  EXPECT_EQ(text().find("{account=\"globex\""), std::string::npos);
  cache.SetAccounts({sources[1]});
  EXPECT_EQ(text().find("{account=\"acme\""), std::string::npos);
  EXPECT_NE(text().find("{account=\"globex\""), std::string::npos);
}

TEST(ExpositionCacheTest, ReadyOnlyOnceWhatIsServedHasEveryCollectorsData) {
  testing::FakeClock clock;
  AccountSnapshot account = testing::GoldenSnapshot().accounts[0];
  for (auto& collector : account.collectors) collector.last_success_unix.reset();
  account.collectors[1].enabled = false;  // a disabled collector is never waited for
  ExpositionCache cache({}, clock);
  cache.SetAccounts({{"acme", [&] { return account; }, {}}});
  EXPECT_EQ(cache.NotReady(), (std::vector<std::string>{"acme: sites, alerts, rate_status"}));
  for (auto& collector : account.collectors) collector.last_success_unix = 1767225600;
  EXPECT_FALSE(cache.NotReady().empty()) << "the pollers succeeded, but nothing is served yet";
  cache.Changed("acme");
  cache.RenderPending();
  EXPECT_TRUE(cache.NotReady().empty());
}

// Every value the account renders from generation g is g; a scrape that mixed two renders would
// show two generations. Run under TSan as well.
TEST(ExpositionCacheTest, AScrapeDuringASwapSeesOneWholeState) {
  testing::FakeClock clock;
  std::atomic<int> generation{0};
  auto make = [](int g) {
    AccountSnapshot account = testing::GoldenSnapshot().accounts[0];
    account.budget_requests_per_minute = g;
    account.poll_budget_utilization_ratio = g;
    account.token_expiry_unix = g;
    auto alerts = std::make_shared<AlertsData>(*account.alerts);
    for (auto& [uid, site] : alerts->sites) site.unmuted.open_by_priority["critical"] = g;
    account.alerts = alerts;
    return account;
  };
  ExpositionCache cache({}, clock);
  cache.SetAccounts({{"acme", [&] { return make(generation.load()); }, {}}});
  cache.Start();
  std::atomic<bool> done{false};
  std::thread publisher([&] {
    for (int g = 1; g <= 200; ++g) {
      generation = g;
      cache.Changed("acme");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    done = true;
  });
  int scrapes = 0;
  std::set<double> seen;
  while (scrapes < 2000 && (!done || scrapes < 20)) {
    ++scrapes;
    const bool gzip = scrapes % 2 == 0;
    const MetricsResponse response = cache.Scrape(gzip);
    const std::string text = gzip ? Gunzip(response.body.Flatten()) : response.body.Flatten();
    const auto families = testing::ParseExposition(text);
    std::set<double> values;
    for (const char* name :
         {"datto_rmm_api_budget_requests_per_minute", "datto_rmm_poll_budget_utilization_ratio",
          "datto_rmm_auth_token_expiry_timestamp_seconds"}) {
      for (const auto* series : testing::Select(families, name)) values.insert(series->gauge.value);
    }
    for (const char* site : {"s-001", "s-007"}) {  // the sites with alerts
      for (const auto* series :
           testing::Select(families, "datto_rmm_site_alerts_open",
                           {{"site_uid", site}, {"priority", "critical"}, {"muted", "false"}})) {
        values.insert(series->gauge.value);
      }
    }
    EXPECT_EQ(values.size(), 1u) << "scrape " << scrapes << " mixed renders";
    if (values.size() != 1) break;
    seen.insert(*values.begin());
  }
  publisher.join();
  cache.Stop();
  EXPECT_GT(seen.size(), 1u) << "the test saw swaps happen";
}

}  // namespace
}  // namespace drmm
